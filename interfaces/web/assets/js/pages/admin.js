// For admins: users (activate, deactivate, role) and the audit log a page at a time. The API
// decides who is an admin; a plain user who comes here is shown its refusal.
import { api } from "../api.js";
import { dateTime, failed, h, notice, say, withStepUp } from "../dom.js";

const AUDIT_PAGE_SIZE = 20;

export async function users(main, app) {
  const list = await api("GET", "/admin/users");
  const status = notice();
  const rows = list.map((user) => {
    const self = user.id === app.user.id;
    const role = h("select", { "aria-label": `Role of ${user.email}`, disabled: self },
      ["user", "admin"].map((value) => h("option", { value, selected: user.role === value }, value)));
    const active = h("button", { type: "button", disabled: self }, "");
    const state = h("td", {});
    const draw = () => {
      state.textContent = user.is_active ? "active" : "deactivated";
      active.textContent = user.is_active ? "Deactivate" : "Activate";
      active.setAttribute("aria-label", `${active.textContent} ${user.email}`);
      role.value = user.role;
    };
    const change = async (patch) => {
      try {
        const patched = () => api("PATCH", `/admin/users/${user.id}`, patch);
        Object.assign(user, await withStepUp(app, status, patched));
        say(status, `${user.email}: ${user.is_active ? "active" : "deactivated"}, ${user.role}.`);
      } catch (error) {
        failed(app, status, error);
      }
      draw();
    };
    active.addEventListener("click", () => change({ is_active: !user.is_active }));
    role.addEventListener("change", () => change({ role: role.value }));
    draw();
    return h("tr", {}, h("td", {}, user.email), h("td", {}, role), state, h("td", {}, active));
  });
  main.append(status, h("table", {},
    h("caption", {}, "Accounts (you cannot change your own)"),
    h("thead", {}, h("tr", {}, ["Email", "Role", "Status", ""].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows)));
}

export async function audit(main, app) {
  const status = notice();
  const body = h("tbody", {});
  const newest = h("button", { type: "button" }, "Newest events");
  const older = h("button", { type: "button" }, "Older events");
  const load = async (cursor) => {
    const query = new URLSearchParams({ limit: AUDIT_PAGE_SIZE });
    if (cursor) query.set("cursor", cursor);
    const page = await api("GET", `/admin/audit?${query}`);
    body.replaceChildren(...page.events.map((event) => h("tr", {},
      h("td", {}, dateTime(event.occurred_at)), h("td", {}, event.type),
      h("td", {}, event.user_id ?? ""), h("td", {}, event.actor_id ?? ""),
      h("td", {}, event.client_ip ?? ""), h("td", {}, event.detail))));
    older.disabled = !page.next_cursor;
    older.dataset.cursor = page.next_cursor ?? "";
    newest.disabled = !cursor;
  };
  const go = (cursor) => load(cursor).catch((error) => failed(app, status, error));
  older.addEventListener("click", () => go(older.dataset.cursor));
  newest.addEventListener("click", () => go(null));
  await load(null);
  main.append(status, h("table", {},
    h("caption", {}, "Security events, newest first"),
    h("thead", {}, h("tr", {}, ["When", "Event", "User", "By", "Address", "Detail"].map((t) => h("th", { scope: "col" }, t)))),
    body),
    h("p", { class: "paging" }, newest, " ", older));
}
