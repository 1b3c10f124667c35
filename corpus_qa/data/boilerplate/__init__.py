"""The default boilerplate pattern lists: byte-for-byte copies of ``expectations/boilerplate/*.yml``."""
