// Two-step sign-in with an authenticator app (TOTP) and recovery codes: enrol with the QR code,
// turn it off, replace the recovery codes. Every change here needs a recent proof of identity,
// which `form`/`withStepUp` ask for when the API says so.
// Written against the second-factor API's contract.
import { api } from "../api.js";
import { failed, field, form, h, notice, withStepUp } from "../dom.js";

export async function twoStep(main, app) {
  app.user = await api("GET", "/users/me");
  const area = h("div", {});
  main.append(area);
  (app.user.mfa_enabled ? drawOn : drawOff)(area, app);
}

function drawOff(area, app) {
  const status = notice();
  const start = h("button", { type: "button" }, "Set up two-step sign-in");
  start.addEventListener("click", async () => {
    try {
      const enrolment = await withStepUp(app, start, () => api("POST", "/auth/mfa/totp"));
      drawEnrolment(area, app, enrolment);
    } catch (error) {
      failed(app, status, error);
    }
  });
  area.replaceChildren(
    h("p", {}, "Two-step sign-in is off. With it on, signing in also asks for a code from an " +
      "authenticator app on your phone, so a stolen password alone is not enough."),
    start, status);
}

function drawEnrolment(area, app, { secret, qr_svg: qrSvg }) {
  area.replaceChildren(
    h("p", {}, "Scan this code with your authenticator app:"),
    h("img", {
      class: "qr", alt: "QR code of your two-step sign-in key",
      src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(standalone(qrSvg))}`,
    }),
    h("p", {}, "Or type this key into the app: ", h("code", {}, secret)),
    form({
      app,
      label: "Confirm two-step sign-in",
      submit: "Turn on",
      fields: [codeField("Code from your app")],
      async action({ code }) {
        drawCodes(area, app, await api("POST", "/auth/mfa/totp/confirm", { code }));
      },
    }));
}

// Shown as an image (where no script inside could run), the SVG must name its namespace, which
// markup meant for inlining in HTML may leave out.
function standalone(svg) {
  return svg.includes("xmlns=") ? svg : svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"');
}

// The recovery codes, shown this once: each one signs in once without the app.
function drawCodes(area, app, answer) {
  const codes = Array.isArray(answer) ? answer : answer.recovery_codes ?? answer.codes ?? [];
  const done = h("button", { type: "button" }, "I have saved them");
  done.addEventListener("click", () => twoStepAgain(area, app));
  area.replaceChildren(
    h("p", {}, "Two-step sign-in is on. Keep these recovery codes somewhere safe: each one " +
      "signs you in once if you lose your phone. They are shown only now."),
    h("ul", { class: "codes" }, codes.map((code) => h("li", {}, h("code", {}, code)))),
    done);
}

async function twoStepAgain(area, app) {
  app.user = await api("GET", "/users/me");
  (app.user.mfa_enabled ? drawOn : drawOff)(area, app);
}

function drawOn(area, app) {
  const status = notice();
  const renew = h("button", { type: "button" }, "Make new recovery codes");
  renew.addEventListener("click", async () => {
    try {
      drawCodes(area, app, await withStepUp(app, renew, () => api("POST", "/auth/mfa/recovery-codes")));
    } catch (error) {
      failed(app, status, error);
    }
  });
  area.replaceChildren(
    h("p", {}, "Two-step sign-in is on."),
    h("p", {}, renew), status,
    h("h2", {}, "Turn it off"),
    form({
      app,
      label: "Turn off two-step sign-in",
      submit: "Turn off",
      fields: [field("Code from your app, or a recovery code", "code", {
        autocomplete: "one-time-code", required: true,
      })],
      async action({ code }) {
        await api("DELETE", "/auth/mfa/totp", codeBody(code));
        await twoStepAgain(area, app);
      },
    }));
}

function codeField(label) {
  return field(label, "code", {
    inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}", required: true,
  });
}

// Six digits (spaces aside) are an authenticator code; anything else is a recovery code.
export function codeBody(code) {
  const digits = code.replace(/\s+/g, "");
  return /^[0-9]{6}$/.test(digits) ? { code: digits } : { recovery_code: code.trim() };
}
