"""The transactional outbox, written by every package that announces a change: a notice is a
row inserted on the connection of the change itself, with a snapshot of its booking. Reading,
rendering and delivering notices is `notifications`, far above; writing them sits low, so
accounts and bookings can queue mail without depending on the mail machinery."""
