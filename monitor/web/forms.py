"""Reading what a browser or a mailbox provider posts, and the answers every form route shares."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse

from monitor.service.subscriptions import Choices
from monitor.web.security import CSRF_FIELD, csrf_ok
from monitor.web.state import WebState
from monitor.web.views import message

MAX_BODY = 64 * 1024  # a form of ours is a few kB; anything larger is not one
MAX_TOKEN = 200


class TooLarge(Exception):
    pass


def state(request: Request) -> WebState:
    found: WebState = request.app.state.web
    return found


async def read_form(request: Request) -> FormData:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise TooLarge
    return await request.form(max_files=0, max_fields=400, max_part_size=MAX_BODY)


async def posted_form(request: Request) -> FormData | HTMLResponse:
    """A form posted from one of our pages: its fields, or the page that refuses it (too large, CSRF failed)."""
    try:
        form = await read_form(request)
    except TooLarge:
        return too_large()
    return form if csrf_checked(request, form) else csrf_failed()


def field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def many(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str) and v.strip()][:200]


def choices_from(form: FormData) -> Choices:
    return Choices(many(form, "regions"), many(form, "metrics"), many(form, "themes"), many(form, "doc_types"),
                   field(form, "cadence") or "daily", field(form, "format") or "both")  # fmt: skip


def csrf_checked(request: Request, form: FormData) -> bool:
    return csrf_ok(request, form.get(CSRF_FIELD), state(request).secret)


def csrf_failed() -> HTMLResponse:
    return message("表单已过期", "这个表单已过期或不是从本站提交的（CSRF 校验失败）。请刷新页面后重新提交。", 403)


def too_large() -> HTMLResponse:
    return message("内容过长", "提交的内容过长。请刷新页面后重新提交。", 413)


def too_many(seconds: float) -> HTMLResponse:
    minutes = max(1, round(seconds / 60))
    response = message(
        "请稍后再试", f"提交过于频繁。为防止有人用本站向他人邮箱发送大量邮件，请 {minutes} 分钟后再试。", 429
    )
    response.headers["Retry-After"] = str(int(seconds) + 1)
    return response


def invalid_link(reason: str, mailbox: str = "") -> HTMLResponse:
    text = f"这个链接无效或已过期（{reason}）。请打开最新一封摘要或确认邮件，复制完整的链接再试；也可以重新订阅。"
    return message(
        "链接无效", text, 400, links=(("subscribe", "重新订阅"), ("index.html", "返回存档")), mailbox=mailbox
    )


def token_of(value: str) -> str | None:
    """A token short enough to be one of ours (longer input is refused before any work)."""
    value = value.strip()
    return value if 0 < len(value) <= MAX_TOKEN else None
