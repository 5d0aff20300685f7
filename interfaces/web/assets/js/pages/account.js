// The user's sessions (one per signed-in device) and the password.
import { api } from "../api.js";
import { dateTime, failed, field, form, h, notice, say } from "../dom.js";

export async function sessions(main, app) {
  const list = await api("GET", "/auth/sessions");
  const status = notice();
  const rows = list.map((session) => {
    const row = h("tr", {},
      h("td", {}, session.description, session.current ? h("strong", { class: "badge" }, "this device") : null),
      h("td", {}, dateTime(session.created_at)),
      h("td", {}, dateTime(session.last_used_at)));
    const cell = h("td", {});
    row.append(cell);
    if (!session.current) {
      const revoke = h("button", { type: "button", "aria-label": `Revoke ${session.description}` }, "Revoke");
      revoke.addEventListener("click", async () => {
        revoke.disabled = true;
        try {
          await api("DELETE", `/auth/sessions/${session.id}`);
          row.remove();
          say(status, "That session is signed out.");
        } catch (error) {
          revoke.disabled = false;
          failed(app, status, error);
        }
      });
      cell.append(revoke);
    }
    return row;
  });
  const everywhere = h("button", { type: "button", class: "danger" }, "Log out everywhere");
  everywhere.addEventListener("click", async () => {
    everywhere.disabled = true;
    try {
      await api("POST", "/auth/logout-all");
      app.signedOut("You are signed out on every device.");
    } catch (error) {
      everywhere.disabled = false;
      failed(app, status, error);
    }
  });
  main.append(
    status,
    h("table", {},
      h("caption", {}, "Where you are signed in"),
      h("thead", {}, h("tr", {}, ["Device", "Signed in", "Last active", ""].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows)),
    h("p", {}, everywhere));
}

export function changePassword(main, app) {
  main.append(form({
    app,
    label: "Change password",
    submit: "Change password",
    fields: [
      h("input", { type: "email", name: "username", autocomplete: "username", value: app.user.email, hidden: true, readonly: true }),
      field("Current password", "current_password", {
        type: "password", autocomplete: "current-password", required: true,
      }),
      field("New password", "new_password", {
        type: "password", autocomplete: "new-password", required: true,
      }),
    ],
    async action({ current_password, new_password }, element) {
      await api("POST", "/auth/change-password", { current_password, new_password });
      element.reset();
      return "Password changed. Your other sessions were signed out.";
    },
  }));
}
