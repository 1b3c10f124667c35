"""The packaged boilerplate pattern lists (``builtin:boilerplate/NAME.yml``)."""
