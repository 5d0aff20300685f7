// How a browser client talks to Roomkey: the session lives in HttpOnly cookies the page never
// sees; every write echoes the readable CSRF cookie in X-CSRF-Token (double submit); an expired
// access token is renewed once through /auth/refresh and the request is sent again.

// With Secure cookies the server prefixes the names (__Host-); in development they are plain.
const CSRF_COOKIES = ["__Host-csrf_token", "csrf_token"];
const SAFE_METHODS = new Set(["GET", "HEAD"]);
const REFRESH_LOCK = "roomkey-refresh";

export class ApiError extends Error {
  constructor(status, detail, { retryAfter, challenge } = {}) {
    super(typeof detail === "string" ? detail : `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
    this.retryAfter = retryAfter;
    this.challenge = challenge ?? ""; // WWW-Authenticate
  }

  // RFC 9470: the session is fine, but this change needs a fresh proof of identity.
  get needsStepUp() {
    return this.status === 403 && this.challenge.includes("insufficient_user_authentication");
  }
}

// The request never got an answer (network down, server gone).
export class Unreachable extends Error {}

// The session is over (or there never was one): the page should show sign-in.
export class SignedOut extends Error {}

function csrfToken() {
  const cookies = document.cookie.split("; ");
  for (const name of CSRF_COOKIES) {
    const cookie = cookies.find((c) => c.startsWith(`${name}=`));
    if (cookie) return decodeURIComponent(cookie.slice(name.length + 1));
  }
  return "";
}

export function hasSession() {
  return csrfToken() !== "";
}

async function send(method, path, body) {
  const csrf = csrfToken();
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (!SAFE_METHODS.has(method) && csrf) headers["X-CSRF-Token"] = csrf;
  const request = {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  };
  const response = await fetch(path, request).catch((error) => {
    throw new Unreachable(String(error));
  });
  return { response, csrf };
}

// `refresh: false` for the calls whose 401 is an answer, not an expired token (signing in).
export async function api(method, path, body, { refresh = true } = {}) {
  let { response, csrf } = await send(method, path, body);
  if (response.status === 401 && refresh) {
    if (!(await refreshSession(csrf))) throw new SignedOut();
    ({ response } = await send(method, path, body));
    if (response.status === 401) throw new SignedOut();
  }
  return read(response);
}

async function read(response) {
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.ok) return data;
  throw new ApiError(response.status, data?.detail ?? response.statusText, {
    retryAfter: Number(response.headers.get("Retry-After")) || undefined,
    challenge: response.headers.get("WWW-Authenticate"),
  });
}

// Single flight. A refresh token is single-use and a second use ends the whole session (reuse
// detection), so of all the requests in all the tabs that meet an expired token, one refreshes.
// Within a tab they share one promise; across tabs a Web Lock queues them, and the CSRF cookie,
// which every refresh replaces, tells a tab that waited whether another one already refreshed.
let inFlight = null;

function refreshSession(staleCsrf) {
  inFlight ??= withRefreshLock(() => refreshUnlessDone(staleCsrf)).finally(() => {
    inFlight = null;
  });
  return inFlight;
}

function withRefreshLock(work) {
  // Web Locks need a secure context (https, or http on localhost); elsewhere, one tab's flight.
  return navigator.locks ? navigator.locks.request(REFRESH_LOCK, work) : work();
}

async function refreshUnlessDone(staleCsrf) {
  const current = csrfToken();
  if (!current) return false;
  if (current !== staleCsrf) return true;
  const response = await fetch("/auth/refresh", {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRF-Token": current },
  });
  return response.ok;
}

// Words for the user, from the API's error answers.
export function describe(error) {
  if (error instanceof SignedOut) return "Your session has ended. Please sign in again.";
  if (error instanceof Unreachable) return "The server could not be reached. Please try again.";
  const detail = reasons(error.detail);
  switch (error.status) {
    case 400:
      return `${detail}.`;
    case 401:
      return detail || "Not signed in.";
    case 403:
      return `Refused: ${detail || "you are not allowed to do this"}.`;
    case 404:
      return `Not found: ${detail || "it may have been removed"}.`;
    case 409:
      return `Conflict: ${detail}.`;
    case 422:
      return `Please check your input: ${detail}.`;
    case 429: {
      const wait = error.retryAfter ? ` in ${error.retryAfter} seconds` : " later";
      return `Too many attempts. Please try again${wait}.`;
    }
    default:
      return `Something went wrong (HTTP ${error.status}): ${detail}.`;
  }
}

// A 422 from schema validation lists each field's problem; rules broken give one sentence.
function reasons(detail) {
  if (!Array.isArray(detail)) return detail ? String(detail) : "";
  return detail
    .map((item) => {
      const field = (item.loc ?? []).filter((part) => part !== "body").join(".");
      return field ? `${field}: ${item.msg}` : item.msg;
    })
    .join("; ");
}
