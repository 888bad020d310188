"""What a subscriber token allows: `/preferences?token=` and `/unsubscribe?token=`.

`GET /unsubscribe` only shows a button (mail scanners fetch links); `POST /unsubscribe` unsubscribes, either from
that button (with its CSRF token) or as RFC 8058 one-click from a mailbox provider (body
`List-Unsubscribe=One-Click`, no cookie). Both are idempotent: a replayed POST answers 200 and changes nothing.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from monitor.service import subscriptions as subs
from monitor.service.catalogue import FilterError
from monitor.web import forms
from monitor.web.security import form_token, set_csrf_cookie
from monitor.web.views import Page, choices_of, filter_form, page_response

router = APIRouter(include_in_schema=False)
STATUS_LABELS = {"pending": "待确认", "active": "已订阅", "unsubscribed": "已退订"}


async def _preferences_page(request: Request, managed: subs.Managed, notice: str = "",
                            choices: subs.Choices | None = None, errors: tuple[str, ...] = (),
                            status: int = 200) -> Response:  # fmt: skip
    web = forms.state(request)
    catalogue = await run_in_threadpool(web.catalogue)
    csrf, cookie = form_token(request, web.secret)
    s = managed.subscriber
    page = Page("订阅设置", csrf=csrf, email=s.destination, token=managed.token, status=s.status, notice=notice,
                form=filter_form(catalogue, choices or choices_of(s)), errors=errors,
                extra={"status_label": STATUS_LABELS.get(s.status, s.status)})  # fmt: skip
    response = page_response("preferences", page, status)
    set_csrf_cookie(response, cookie, request, web.cookie_path)
    return response


@router.get("/preferences")
async def preferences(request: Request, token: str = "", confirmed: str = "") -> Response:
    web = forms.state(request)
    checked = forms.token_of(token)
    if checked is None:
        return forms.invalid_link("no token in the link", web.settings.unsubscribe_mailbox)
    try:
        managed = await run_in_threadpool(subs.preferences, web.engine, web.settings, checked)
    except subs.InvalidLink as exc:
        return forms.invalid_link(str(exc), web.settings.unsubscribe_mailbox)
    notice = "订阅已确认。摘要会按下面的设置发送，随时可以在这里修改。" if confirmed == "1" else ""
    return await _preferences_page(request, managed, notice)


@router.post("/preferences")
async def save_preferences(request: Request) -> Response:
    web = forms.state(request)
    form = await forms.posted_form(request)
    if isinstance(form, Response):
        return form
    token = forms.token_of(forms.field(form, "token"))
    if token is None:
        return forms.invalid_link("no token in the form", web.settings.unsubscribe_mailbox)
    action, choices = forms.field(form, "action"), forms.choices_from(form)
    try:
        if action == "unsubscribe":
            managed = await run_in_threadpool(subs.unsubscribe, web.engine, web.settings, token)
            return await _preferences_page(request, managed, "已退订，不会再收到摘要。")
        catalogue = await run_in_threadpool(web.catalogue)
        managed = await run_in_threadpool(
            subs.update_preferences, web.engine, web.settings, catalogue, token, choices, action == "resubscribe"
        )
    except subs.InvalidLink as exc:
        return forms.invalid_link(str(exc), web.settings.unsubscribe_mailbox)
    except FilterError as exc:
        managed = await run_in_threadpool(subs.preferences, web.engine, web.settings, token)
        return await _preferences_page(request, managed, "", choices, exc.chinese, 400)
    except subs.SubscriptionError as exc:
        managed = await run_in_threadpool(subs.preferences, web.engine, web.settings, token)
        return await _preferences_page(request, managed, "", choices, (exc.chinese,), 400)
    return await _preferences_page(request, managed, "设置已保存。")


@router.get("/unsubscribe")
async def unsubscribe_form(request: Request, token: str = "") -> Response:
    web = forms.state(request)
    checked = forms.token_of(token)
    if checked is None:
        return forms.invalid_link("no token in the link", web.settings.unsubscribe_mailbox)
    try:
        managed = await run_in_threadpool(subs.preferences, web.engine, web.settings, checked)
    except subs.InvalidLink as exc:
        return forms.invalid_link(str(exc), web.settings.unsubscribe_mailbox)
    csrf, cookie = form_token(request, web.secret)
    s = managed.subscriber
    response = page_response(
        "unsubscribe", Page("退订", csrf=csrf, email=s.destination, token=checked, status=s.status)
    )
    set_csrf_cookie(response, cookie, request, web.cookie_path)
    return response


@router.post("/unsubscribe")
async def unsubscribe(request: Request, token: str = "") -> Response:
    web = forms.state(request)
    try:
        form = await forms.read_form(request)
    except forms.TooLarge:
        return forms.too_large()
    one_click = forms.field(form, "List-Unsubscribe") == "One-Click"  # RFC 8058: the signed URL is the authority
    if not one_click and not forms.csrf_checked(request, form):
        return forms.csrf_failed()
    checked = forms.token_of(token or forms.field(form, "token"))
    if checked is None:
        return forms.invalid_link("no token in the link", web.settings.unsubscribe_mailbox)
    try:
        managed = await run_in_threadpool(subs.unsubscribe, web.engine, web.settings, checked)
    except subs.InvalidLink as exc:
        return forms.invalid_link(str(exc), web.settings.unsubscribe_mailbox)
    if one_click:
        return HTMLResponse(
            "<!DOCTYPE html><title>unsubscribed</title><p>unsubscribed</p>", headers={"Cache-Control": "no-store"}
        )
    s = managed.subscriber
    return page_response("unsubscribe", Page("已退订", email=s.destination, token=checked, status=s.status))
