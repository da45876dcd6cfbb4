"""Instrument Share: share large research instruments across institutions and regions."""
