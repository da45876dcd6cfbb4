"""The national registry's own formats: the instrument catalogue and service records in its
field names and order, with its Chinese values, and the completeness check against it."""
