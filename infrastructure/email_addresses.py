"""The one rule for email addresses: checked by email-validator, then put in their normal form."""

import unicodedata

from email_validator import EmailNotValidError, validate_email

from domain.errors import InvalidEmail
from domain.users import Email

# ICANN's top-level domains all have two characters or more: `a@b.c` cannot be delivered.
MIN_TOP_LEVEL_DOMAIN = 2


def parse_email(raw: str) -> Email:
    """Validate an address as typed and return its normal form, or raise InvalidEmail (why).

    The rule: RFC 5321 lengths (64 before the @, 254 in all, 63 per domain label), a dot-atom
    local part (quoted local parts are valid but unused in practice, and the usual carrier of
    odd characters: email-validator refuses them by default, and so do we), an IDNA-valid
    domain with a dot and a top-level domain of two characters or more, not a special-use name
    that can never receive mail (RFC 6761: `.local`, `.localhost`, `.invalid`, ...; `.test` is
    kept for test and staging accounts); no DNS look-up.
    The normal form is the whole address lower-cased, local part included (Alice@ and alice@
    are one account: anything else invites look-alike accounts), in NFC, with the domain in
    Unicode. Register, login, the token form, the admin bootstrap and the CLI all come here.
    """
    candidate = unicodedata.normalize("NFC", raw.strip(" ").lower())
    try:
        address = validate_email(candidate, check_deliverability=False, strict=True,
                                 allow_quoted_local=False, allow_domain_literal=False,
                                 allow_display_name=False, allow_empty_local=False,
                                 test_environment=True)
    except EmailNotValidError as error:
        raise InvalidEmail(str(error)) from None
    if len(address.domain.rsplit(".", 1)[-1]) < MIN_TOP_LEVEL_DOMAIN:
        raise InvalidEmail(f"The part after the @-sign must end in a top-level domain of at "
                           f"least {MIN_TOP_LEVEL_DOMAIN} characters.")
    return Email(address.normalized)
