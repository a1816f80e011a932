//! Builds the app from settings: database (migrated), keys, router, and its own listener.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::db::Db;
use crate::routes;
use crate::security::Keys;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub keys: Keys,
    pub settings: Arc<Settings>,
}

pub struct App {
    listener: TcpListener,
    state: AppState,
}

impl App {
    /// Connects and migrates the database and binds `server.bind` (port 0 picks a free one).
    pub async fn build(settings: Settings) -> anyhow::Result<App> {
        let db = Db::connect(&settings.database).await?;
        let keys = Keys::load(&settings.security)?;
        let listener = TcpListener::bind(settings.server.bind)
            .await
            .with_context(|| format!("listening on {} (server.bind)", settings.server.bind))?;
        let state = AppState {
            db,
            keys,
            settings: Arc::new(settings),
        };
        Ok(App { listener, state })
    }

    pub fn address(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Links point here instead of `server.public_url` (tests learn their port only after binding).
    pub fn with_public_url(mut self, url: &str) -> Self {
        let mut settings = (*self.state.settings).clone();
        settings.server.public_url = url.trim_end_matches('/').to_string();
        self.state.settings = Arc::new(settings);
        self
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let router = routes::router(self.state.clone());
        axum::serve(self.listener, router)
            .with_graceful_shutdown(shutdown)
            .await
            .context("serving HTTP")?;
        self.state.db.close().await;
        Ok(())
    }
}
