// Signing in and registering: the only calls whose 401 is an answer rather than an expired token.
import { api } from "../api.js";
import { field, form, h } from "../dom.js";
import { codeBody } from "./mfa.js";

export function signIn(main, app) {
  const next = new URLSearchParams(location.search).get("next");
  main.append(
    form({
      app,
      label: "Sign in",
      submit: "Sign in",
      fields: [
        field("Email", "email", { type: "email", autocomplete: "username", required: true }),
        field("Password", "password", {
          type: "password", autocomplete: "current-password", required: true,
        }),
      ],
      async action({ email, password }) {
        const answer = await api("POST", "/auth/login", { email, password }, { refresh: false });
        if (answer.mfa_required) secondStep(main, app, answer.mfa_token, next);
        else await app.signedIn(next);
      },
    }),
    h("p", {}, "No account yet? ", h("a", { href: "/app/register" }, "Register"),
      " · ", h("a", { href: "/app/forgot-password" }, "Forgot your password?")),
  );
}

// With two-step sign-in on, the right password answers a short-lived MFA token instead of a
// session; a code from the authenticator app (or a recovery code) completes the sign-in.
function secondStep(main, app, mfaToken, next) {
  const step = form({
    app,
    label: "Second step",
    submit: "Sign in",
    fields: [
      h("p", {}, "Enter the code your authenticator app shows, or one of your recovery codes."),
      field("Code", "code", { autocomplete: "one-time-code", required: true, autofocus: true }),
    ],
    async action({ code }) {
      await api("POST", "/auth/mfa/verify", { mfa_token: mfaToken, ...codeBody(code) },
        { refresh: false });
      await app.signedIn(next);
    },
  });
  main.replaceChildren(h("h1", {}, "Sign in: second step"), step);
  step.querySelector("input").focus();
}

export function register(main, app) {
  main.append(
    form({
      app,
      label: "Register",
      submit: "Create account",
      fields: [
        field("Email", "email", { type: "email", autocomplete: "email", required: true }),
        field("Password", "password", {
          type: "password", autocomplete: "new-password", required: true,
          "aria-describedby": "password-rules",
        }),
        h("p", { id: "password-rules", class: "hint" },
          "A long phrase is best. Common passwords, and passwords with your email in them, are refused."),
      ],
      async action({ email, password }) {
        await api("POST", "/auth/register", { email, password }, { refresh: false });
        app.flash = `Account created for ${email}. Please sign in.`;
        app.navigate("/app/sign-in");
      },
    }),
    h("p", {}, "Already registered? ", h("a", { href: "/app/sign-in" }, "Sign in")),
  );
}
