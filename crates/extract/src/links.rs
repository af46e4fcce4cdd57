//! Article links on a listing page.
