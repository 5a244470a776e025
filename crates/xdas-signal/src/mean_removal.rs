//! (arrives with the xdas-signal issue)
