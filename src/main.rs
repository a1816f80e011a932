use clap::Parser;
use meridian::cli::{
    Cli, Command, OrganizerCommand, create_organizer, create_token, list_tokens, password_link,
    revoke_token,
};
use meridian::config::Settings;
use meridian::startup::App;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("meridian: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = App::build(settings).await?;
            tracing::info!(address = %app.address(), "Meridian is listening");
            app.run_until(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
        }
        Command::Organizer {
            command: OrganizerCommand::Create { email, name },
        } => {
            for line in create_organizer(&settings, &email, &name).await? {
                println!("{line}");
            }
            Ok(())
        }
        Command::Organizer {
            command: OrganizerCommand::PasswordLink { email },
        } => {
            println!("{}", password_link(&settings, &email).await?);
            Ok(())
        }
        Command::Organizer {
            command: OrganizerCommand::Tokens { email },
        } => {
            for line in list_tokens(&settings, &email).await? {
                println!("{line}");
            }
            Ok(())
        }
        Command::Organizer {
            command: OrganizerCommand::TokenCreate { email, label },
        } => {
            for line in create_token(&settings, &email, &label).await? {
                println!("{line}");
            }
            Ok(())
        }
        Command::Organizer {
            command: OrganizerCommand::TokenRevoke { email, id },
        } => {
            println!("{}", revoke_token(&settings, &email, &id).await?);
            Ok(())
        }
    }
}
