"""Sign-up with double opt-in: `/subscribe` (form), `/confirm?token=` (a button; only its POST confirms)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from monitor.service import subscriptions as subs
from monitor.service.catalogue import FilterError
from monitor.web import forms
from monitor.web.security import form_token, set_csrf_cookie
from monitor.web.views import Page, filter_form, message, page_response

router = APIRouter(include_in_schema=False)


async def _form_page(request: Request, email: str = "", choices: subs.Choices | None = None,
                     errors: tuple[str, ...] = (), status: int = 200) -> Response:  # fmt: skip
    web = forms.state(request)
    catalogue = await run_in_threadpool(web.catalogue)
    token, cookie = form_token(request, web.secret)
    page = Page("订阅目标变化摘要", csrf=token, email=email, form=filter_form(catalogue, choices or subs.Choices()),
                errors=errors)  # fmt: skip
    response = page_response("subscribe", page, status)
    set_csrf_cookie(response, cookie, request, web.cookie_path)
    return response


@router.get("/subscribe")
async def subscribe_form(request: Request) -> Response:
    return await _form_page(request)


@router.post("/subscribe")
async def subscribe(request: Request) -> Response:
    web = forms.state(request)
    form = await forms.posted_form(request)
    if isinstance(form, Response):
        return form
    client = request.client.host if request.client else "unknown"
    if wait := web.per_client.hit(f"client:{client}"):
        return forms.too_many(wait)
    email, choices = forms.field(form, "email"), forms.choices_from(form)
    if email and (wait := web.per_email.hit(f"email:{email.lower()}")):
        return forms.too_many(wait)
    try:
        catalogue = await run_in_threadpool(web.catalogue)
        signup = await run_in_threadpool(subs.subscribe, web.engine, web.settings, catalogue, email, choices, web.now())
    except subs.Throttled as exc:
        return forms.too_many(exc.retry_after)
    except FilterError as exc:
        return await _form_page(request, email, choices, exc.chinese, 400)
    except subs.SubscriptionError as exc:
        return await _form_page(request, email, choices, (exc.chinese,), 400)
    response = message(
        "请查收确认邮件", f"确认邮件已发往 {email}。请打开邮件中的链接完成订阅；确认之前不会发送摘要。", 200
    )
    if signup.delivery_id is not None and web.send_notice is not None:
        response.background = BackgroundTask(web.send_notice, signup.delivery_id)
    return response


@router.get("/confirm")
async def confirm_form(request: Request, token: str = "") -> Response:
    web = forms.state(request)
    checked = forms.token_of(token)
    if checked is None:
        return forms.invalid_link("no token in the link")
    try:
        subscriber = await run_in_threadpool(subs.confirmation_target, web.engine, web.settings, checked)
    except subs.InvalidLink as exc:
        return forms.invalid_link(str(exc))
    csrf, cookie = form_token(request, web.secret)
    response = page_response("confirm", Page("确认订阅", csrf=csrf, email=subscriber.email, token=checked))
    set_csrf_cookie(response, cookie, request, web.cookie_path)
    return response


@router.post("/confirm")
async def confirm(request: Request) -> Response:
    web = forms.state(request)
    form = await forms.posted_form(request)
    if isinstance(form, Response):
        return form
    token = forms.token_of(forms.field(form, "token"))
    if token is None:
        return forms.invalid_link("no token in the form")
    try:
        done = await run_in_threadpool(subs.confirm, web.engine, web.settings, token)
    except subs.InvalidLink as exc:
        return forms.invalid_link(str(exc))
    # our own page, built here: no address from the request is ever a redirect target
    return RedirectResponse(f"preferences?token={done.token}&confirmed=1", status_code=303)
