//! Integration tests: the real server on a random port, over HTTP, on SQLite and PostgreSQL.

mod helpers;
mod mail;
mod smtp;

mod bad_input;
mod cli;
mod concurrency;
mod emails;
mod invitees;
mod registrations;
mod sessions;
mod webinars;
