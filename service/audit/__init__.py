"""The audit log: who did what to whom, for platform admins, institution admins and evaluators.

Events are written on the connection of the change they describe (`store.record`), so an event
is in the log if and only if its transaction committed. Failed logins, which roll nothing back,
are written in their own short transaction. The package sits below `accounts` so that every
package may record; reading the log with its permissions is `service.accounts.audit_log`.
"""
