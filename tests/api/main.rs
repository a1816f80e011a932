//! Integration tests: the real server on a random port, over HTTP, on SQLite and PostgreSQL.

mod chrome;
mod helpers;
mod mail;
mod smtp;

mod accessibility;
mod attendance;
mod auth;
mod bad_input;
mod browser;
mod cli;
mod clock_changes;
mod concurrency;
mod emails;
mod input_hardening;
mod invitees;
mod large_imports;
mod limits;
mod materials;
mod members;
mod openapi;
mod operations;
mod pages;
mod paging;
mod planner;
mod privacy;
mod registration_policy;
mod registrations;
mod request_spans;
mod send_preview;
mod sessions;
mod translations;
mod waitlist;
mod walkthrough;
mod webinars;
