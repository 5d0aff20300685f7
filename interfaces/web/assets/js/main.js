// The app's frame: which page a URL names, the header (who is signed in, sign out), and moving
// between pages without reloading.
import { api, describe, hasSession, SignedOut } from "./api.js";
import { failed, h, notice, say } from "./dom.js";
import * as admin from "./pages/admin.js";
import * as account from "./pages/account.js";
import * as auth from "./pages/auth.js";
import * as booking from "./pages/booking.js";
import * as mfa from "./pages/mfa.js";
import * as recovery from "./pages/recovery.js";

const BASE = "/app/";
// path after /app/ → page; `user: true` pages need a signed-in user.
const PAGES = {
  "": { title: "Rooms", render: booking.rooms },
  rooms: { title: "Rooms", render: booking.rooms },
  "sign-in": { title: "Sign in", render: auth.signIn },
  register: { title: "Register", render: auth.register },
  bookings: { title: "My bookings", render: booking.myBookings, user: true },
  sessions: { title: "My sessions", render: account.sessions, user: true },
  password: { title: "Change password", render: account.changePassword, user: true },
  "admin/users": { title: "Users", render: admin.users, user: true },
  "admin/audit": { title: "Audit log", render: admin.audit, user: true },
  // The mail flows and the second factor.
  "forgot-password": { title: "Forgot password", render: recovery.forgotPassword },
  "reset-password": { title: "Choose a new password", render: recovery.resetPassword },
  "verify-email": { title: "Verify your email address", render: recovery.verifyEmail },
  "two-step": { title: "Two-step sign-in", render: mfa.twoStep, user: true },
};
const NOT_FOUND = { title: "Page not found", render: notFound };

// Tells the other tabs of this browser that the session ended here.
const sessionChannel = "BroadcastChannel" in window ? new BroadcastChannel("roomkey-session") : null;

const app = {
  user: undefined, // undefined: not asked yet; null: signed out
  flash: "",

  navigate(path, { replace = false } = {}) {
    if (replace) history.replaceState(null, "", path);
    else history.pushState(null, "", path);
    show();
  },

  // After a successful sign-in: who it is, then where the user was going.
  async signedIn(next) {
    app.user = await api("GET", "/users/me");
    app.navigate(next && next.startsWith(BASE) ? next : `${BASE}rooms`, { replace: true });
  },

  // The session ended (sign-out, revoked, refresh refused): show sign-in with a word why.
  signedOut(message = "", { tell = true } = {}) {
    app.user = null;
    app.flash = message;
    if (tell) sessionChannel?.postMessage("signed-out");
    const here = location.pathname + location.search;
    const next = here.startsWith(`${BASE}sign-in`) ? "" : `?next=${encodeURIComponent(here)}`;
    app.navigate(`${BASE}sign-in${next}`, { replace: true });
  },
};

sessionChannel?.addEventListener("message", () => {
  if (app.user) app.signedOut("You signed out in another tab.", { tell: false });
});

async function loadUser() {
  // No CSRF cookie, no session: no need to ask the server (and log a 401).
  if (!hasSession()) return null;
  try {
    return await api("GET", "/users/me");
  } catch (error) {
    if (error instanceof SignedOut) return null;
    throw error;
  }
}

async function show() {
  const main = document.getElementById("main");
  const key = location.pathname.slice(BASE.length).replace(/\/$/, "");
  const page = location.pathname.startsWith(BASE) ? PAGES[key] ?? NOT_FOUND : NOT_FOUND;
  if (app.user === undefined) app.user = await loadUser();
  if (page.user && !app.user) {
    app.signedOut("Please sign in to see this page.", { tell: false });
    return;
  }
  header();
  document.title = `${page.title} · Roomkey`;
  const status = notice();
  main.replaceChildren(h("h1", {}, page.title), status);
  if (app.flash) say(status, app.flash, "info");
  app.flash = "";
  try {
    await page.render(main, app);
  } catch (error) {
    failed(app, status, error);
  }
}

function header() {
  const nav = document.getElementById("nav");
  const who = document.getElementById("who");
  const links = [["rooms", "Rooms"]];
  if (app.user) {
    links.push(["bookings", "My bookings"], ["sessions", "My sessions"], ["password", "Password"],
      ["two-step", "Two-step sign-in"]);
    if (app.user.role === "admin") links.push(["admin/users", "Users"], ["admin/audit", "Audit log"]);
  } else {
    links.push(["sign-in", "Sign in"], ["register", "Register"]);
  }
  nav.replaceChildren(h("ul", {}, links.map(([path, text]) => {
    const current = location.pathname === BASE + path ? "page" : null;
    return h("li", {}, h("a", { href: BASE + path, "aria-current": current }, text));
  })));
  who.replaceChildren();
  if (app.user) {
    const signOut = h("button", { type: "button", onclick: signOutHere }, "Sign out");
    who.append(h("span", { class: "email" }, app.user.email), signOut);
  }
}

async function signOutHere() {
  try {
    await api("POST", "/auth/logout");
    app.signedOut("You are signed out.");
  } catch (error) {
    // Signing out of a session that had already ended is still signed out.
    app.signedOut(error instanceof SignedOut ? "You are signed out." : describe(error));
  }
}

function notFound(main) {
  main.append(h("p", {}, "There is no such page. ", h("a", { href: BASE }, "See the rooms.")));
}

// Links inside the app change the page without a reload; others behave as links do.
document.addEventListener("click", (event) => {
  const anchor = event.target.closest("a");
  if (!anchor || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(BASE)) return;
  if (url.pathname.startsWith(`${BASE}assets/`)) return;
  event.preventDefault();
  app.navigate(url.pathname + url.search + url.hash);
});
window.addEventListener("popstate", show);
show();
