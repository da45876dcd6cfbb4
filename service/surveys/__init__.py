"""Satisfaction surveys run by the platform: invitations by mail to everyone who used an
instrument in the period, single-use links, anonymous answers aggregated per instrument and
institution."""
