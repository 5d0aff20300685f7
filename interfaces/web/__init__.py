"""The browser app (static pages and JavaScript modules) and the offline API docs."""
