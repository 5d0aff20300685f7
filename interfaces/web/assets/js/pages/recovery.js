// The mail flows: forgotten password, the reset link and the verification link. The links carry
// their token in the URL fragment (#token=...), which browsers never send to a server nor in a
// Referer; the page reads it, then drops it from the address bar and the history.
import { api } from "../api.js";
import { failed, field, form, h, notice, say } from "../dom.js";

function takeToken() {
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  if (location.hash) history.replaceState(null, "", location.pathname);
  return token;
}

export function forgotPassword(main, app) {
  main.append(form({
    app,
    label: "Forgot password",
    submit: "Send me a reset link",
    fields: [field("Email", "email", { type: "email", autocomplete: "email", required: true })],
    async action({ email }) {
      const answer = await api("POST", "/auth/password-reset", { email }, { refresh: false });
      return answer.detail;
    },
  }));
}

export function resetPassword(main, app) {
  const token = takeToken();
  if (!token) {
    main.append(h("p", {}, "This link is incomplete. ",
      h("a", { href: "/app/forgot-password" }, "Ask for a new one.")));
    return;
  }
  main.append(form({
    app,
    label: "Password reset",
    submit: "Set the new password",
    fields: [field("New password", "new_password", {
      type: "password", autocomplete: "new-password", required: true,
    })],
    async action({ new_password }) {
      await api("POST", "/auth/password-reset/confirm", { token, new_password }, { refresh: false });
      app.flash = "Your password was reset and every session signed out. Please sign in.";
      app.navigate("/app/sign-in", { replace: true });
    },
  }));
}

export async function verifyEmail(main, app) {
  const token = takeToken();
  const status = notice();
  main.append(status);
  try {
    if (!token) throw new Error("no token");
    await api("POST", "/auth/verify-email", { token }, { refresh: false });
    say(status, "Your email address is verified. Thank you.");
    if (app.user) app.user = await api("GET", "/users/me");
    return;
  } catch (error) {
    if (token) failed(app, status, error);
    else say(status, "This link is incomplete.", "error");
  }
  main.append(h("h2", {}, "Send a new link"), form({
    app,
    label: "Send a new verification link",
    submit: "Send",
    fields: [field("Email", "email", { type: "email", autocomplete: "email", required: true })],
    async action({ email }) {
      const answer = await api("POST", "/auth/verify-email/resend", { email }, { refresh: false });
      return answer.detail;
    },
  }));
}
