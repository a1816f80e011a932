//! Meridian: webinars held as several identical sessions, so that people in every time
//! zone attend at a sensible local hour.

pub mod calendar;
pub mod cli;
pub mod config;
pub mod context;
pub mod db;
pub mod domain;
pub mod email;
pub mod error;
pub mod i18n;
pub mod inbound;
pub mod reports;
pub mod routes;
pub mod security;
pub mod serve;
pub mod services;
pub mod startup;
