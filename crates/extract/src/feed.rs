//! Feed parsing (RSS, Atom, JSON Feed) into feed entries.
