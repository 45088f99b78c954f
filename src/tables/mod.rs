//! Legal and reference tables, embedded from assets/ with their sources.
