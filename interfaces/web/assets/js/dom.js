// Small helpers that build the page from elements and text nodes: the API's data is never
// parsed as HTML, and no handler is written inline (the policy forbids inline scripts).
import { api, ApiError, describe, SignedOut, Unreachable } from "./api.js";

export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined));
  return element;
}

let fieldCount = 0;

// A labelled input; `attrs` are the input's own (type, autocomplete, required...).
export function field(label, name, attrs = {}) {
  const id = `field-${name}-${++fieldCount}`;
  return h("p", { class: "field" },
    h("label", { for: id }, label),
    h("input", { id, name, ...attrs }));
}

// An area that says what happened; screen readers announce it.
export function notice() {
  const element = h("p", { class: "notice", role: "status", "aria-live": "polite" });
  element.hidden = true;
  return element;
}

export function say(element, text, kind = "ok") {
  element.textContent = text;
  element.className = `notice ${kind}`;
  element.setAttribute("role", kind === "error" ? "alert" : "status");
  element.hidden = !text;
}

// A form whose submit (a button, or Enter in any field) calls `action` with the values; a
// failure is told in words in the form's notice, a lost session sends the user to sign in.
export function form({ label, fields, submit, action, app }) {
  const status = notice();
  const button = h("button", { type: "submit" }, submit);
  const element = h("form", { "aria-label": label }, ...fields, button, status);
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(element));
    button.disabled = true;
    say(status, "");
    try {
      const message = await withStepUp(app, element, () => action(values, element));
      if (message) say(status, message);
    } catch (error) {
      failed(app, status, error);
    } finally {
      button.disabled = false;
    }
  });
  return element;
}

// Tells an error in `status`; a lost session goes to sign-in instead. Anything else is a bug
// in this app and is left to surface.
export function failed(app, status, error) {
  if (error instanceof SignedOut) app.signedOut(describe(error));
  else if (error instanceof ApiError || error instanceof Unreachable) say(status, describe(error), "error");
  else throw error;
}

export function dateTime(value) {
  return new Date(value).toLocaleString();
}

// Sensitive changes need a recent proof of identity: the API answers 403 with an
// insufficient_user_authentication challenge. Ask for the password (and a code when two-step
// sign-in is on) after `place`, renew it through /auth/reauthenticate, then do `work` again.
export async function withStepUp(app, place, work) {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ApiError && error.needsStepUp)) throw error;
    await confirmIdentity(app, place, error);
    return work();
  }
}

function confirmIdentity(app, place, refusal) {
  return new Promise((resolve, reject) => {
    const status = notice();
    const fields = [field("Your password", "password", {
      type: "password", autocomplete: "current-password", required: true,
    })];
    if (app.user?.mfa_enabled) {
      fields.push(field("Code from your authenticator app", "code", {
        inputmode: "numeric", autocomplete: "one-time-code", required: true,
      }));
    }
    const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
    const confirm = h("form", { "aria-label": "Confirm it is you", class: "step-up" },
      h("p", {}, "Please confirm it is you to make this change."), ...fields,
      h("button", { type: "submit" }, "Confirm"), cancel, status);
    cancel.addEventListener("click", () => {
      confirm.remove();
      reject(refusal);
    });
    confirm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const { password, code } = Object.fromEntries(new FormData(confirm));
      try {
        await api("POST", "/auth/reauthenticate", code === undefined ? { password } : { password, code });
        confirm.remove();
        resolve();
      } catch (error) {
        failed(app, status, error);
      }
    });
    place.after(confirm);
    confirm.querySelector("input").focus();
  });
}
