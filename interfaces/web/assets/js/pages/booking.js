// Rooms (anyone may look; signed-in users book) and the user's own bookings.
import { api } from "../api.js";
import { failed, field, form, h, notice, say } from "../dom.js";

function money(amount) {
  return `${amount} per night`;
}

export async function rooms(main, app) {
  const list = await api("GET", "/rooms");
  if (!list.length) main.append(h("p", {}, "No rooms yet."));
  if (!app.user) {
    main.append(h("p", {}, h("a", { href: "/app/sign-in" }, "Sign in"), " to book a room."));
  }
  main.append(h("ul", { class: "cards" }, list.map((room) => roomCard(room, app))));
}

function roomCard(room, app) {
  const card = h("li", { class: "card" },
    h("h2", {}, room.name),
    h("p", {}, room.description),
    h("p", { class: "meta" }, `${money(room.price)} · ${room.quantity} available`));
  if (app.user) {
    card.append(form({
      app,
      label: `Book ${room.name}`,
      submit: `Book ${room.name}`,
      fields: [
        field("From", "date_from", { type: "date", required: true }),
        field("To", "date_to", { type: "date", required: true }),
      ],
      async action({ date_from, date_to }) {
        const booking = await api("POST", "/bookings", { room_id: room.id, date_from, date_to });
        return `Booked ${room.name} from ${booking.date_from} to ${booking.date_to}: ` +
          `${booking.total_cost} in total.`;
      },
    }));
  }
  return card;
}

export async function myBookings(main, app) {
  const [bookings, roomList] = await Promise.all([api("GET", "/bookings"), api("GET", "/rooms")]);
  const names = new Map(roomList.map((room) => [room.id, room.name]));
  const status = notice();
  main.append(status);
  if (!bookings.length) {
    main.append(h("p", {}, "No bookings. ", h("a", { href: "/app/rooms" }, "Book a room.")));
    return;
  }
  const rows = bookings.map((booking) => {
    const name = names.get(booking.room_id) ?? "a room no longer offered";
    const what = `${name} from ${booking.date_from} to ${booking.date_to}`;
    const cancel = h("button", { type: "button", "aria-label": `Cancel ${what}` }, "Cancel");
    const row = h("tr", {},
      h("td", {}, name), h("td", {}, booking.date_from), h("td", {}, booking.date_to),
      h("td", { class: "number" }, String(booking.total_cost)), h("td", {}, cancel));
    cancel.addEventListener("click", async () => {
      cancel.disabled = true;
      try {
        await api("DELETE", `/bookings/${booking.id}`);
        row.remove();
        say(status, `Cancelled ${what}.`);
      } catch (error) {
        cancel.disabled = false;
        failed(app, status, error);
      }
    });
    return row;
  });
  main.append(h("table", {},
    h("caption", {}, "Your bookings, soonest first"),
    h("thead", {}, h("tr", {}, ["Room", "From", "To", "Total", ""].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows)));
}
