"""MailComposer: a queued mail becomes an EmailMessage, plain text with an HTML alternative.

Every header is set through `email.message.EmailMessage`, which refuses a CR or LF in a header
value: no address, name or subject can smuggle in another header. Template data (a user agent,
say) only ever reaches the bodies, escaped in the HTML one.
"""

import email.policy
import email.utils
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from application.mail import MailKind, QueuedMail

TEMPLATES = Path(__file__).resolve().parent / "templates"
_MAX_7BIT_LINE = 998  # RFC 5322's limit on a line, CRLF excluded


@dataclass(frozen=True, slots=True)
class _Template:
    subject: str
    link_path: str | None = None  # the browser page that takes the token, if the mail has one


_TEMPLATES: dict[MailKind, _Template] = {
    MailKind.PASSWORD_RESET: _Template("Reset your Roomkey password", "/app/reset-password"),
    MailKind.VERIFY_EMAIL: _Template("Confirm your email address for Roomkey",
                                     "/app/verify-email"),
    MailKind.CONFIRM_EMAIL_CHANGE: _Template("Confirm your new email address for Roomkey",
                                             "/app/verify-email"),
    MailKind.PASSWORD_CHANGED: _Template("Your Roomkey password was changed"),
    MailKind.EMAIL_CHANGED: _Template("The email address of your Roomkey account was changed"),
    MailKind.REFRESH_TOKEN_REUSE: _Template("A Roomkey sign-in of yours was ended"),
    MailKind.RECOVERY_CODE_USED: _Template("A Roomkey recovery code was used"),
}


class MailComposer:
    def __init__(self, *, mail_from: str, public_url: str) -> None:
        self._mail_from = mail_from
        self._public_url = public_url.rstrip("/")
        _, from_address = email.utils.parseaddr(mail_from)
        self._id_domain = from_address.rpartition("@")[2] or "roomkey"
        self._jinja = Environment(
            loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
            autoescape=select_autoescape(["html"]), keep_trailing_newline=True)

    def message_id(self, queued: QueuedMail) -> str:
        """The same for every attempt at one message, so a receiver can drop a duplicate."""
        return f"<{queued.id}@{self._id_domain}>"

    def compose(self, queued: QueuedMail) -> EmailMessage:
        """Raise ValueError for a message that cannot be composed (e.g. a CR in an address)."""
        template = _TEMPLATES[queued.mail.kind]
        values = dict(queued.mail.data)
        if template.link_path is not None:
            token = quote(values["token"])
            values["link"] = f"{self._public_url}{template.link_path}#token={token}"
        values["public_url"] = self._public_url
        message = EmailMessage(policy=email.policy.SMTP)
        message["Subject"] = template.subject
        message["From"] = self._mail_from
        message["To"] = Address(addr_spec=queued.mail.recipient)
        message["Message-ID"] = self.message_id(queued)
        message["Date"] = email.utils.formatdate(usegmt=True)
        kind = queued.mail.kind.value
        text = self._jinja.get_template(f"{kind}.txt").render(values)
        html = self._jinja.get_template(f"{kind}.html").render(values)
        message.set_content(text, cte=_transfer_encoding(text))
        message.add_alternative(html, subtype="html", cte=_transfer_encoding(html))
        return message


def _transfer_encoding(body: str) -> str:
    """Plain 7bit when the body allows it, so that a link reads (and copies) as it is; quoted-
    printable otherwise (non-ASCII, say, in a user agent)."""
    fits = body.isascii() and all(len(line) <= _MAX_7BIT_LINE for line in body.splitlines())
    return "7bit" if fits else "quoted-printable"
