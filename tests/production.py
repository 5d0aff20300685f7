"""What production needs besides the setting a test is about: a data key and a mail relay."""

from tests.api.conftest import DATA_KEY

# A relay is only named here: production refuses to start without one, and no test mails it.
SMTP_URL = "smtp://127.0.0.1:2525"
PRODUCTION_ESSENTIALS = {"data_key": DATA_KEY, "smtp_url": SMTP_URL}
