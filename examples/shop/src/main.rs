//! The shop, served on `LISTEN` (default `127.0.0.1:3000`) until ctrl-c or SIGTERM.

use std::sync::Arc;

use promdecl::Registry;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = shop_example::app(Arc::new(Registry::new()))?;
    let addr = std::env::var("LISTEN").unwrap_or_else(|_| shop_example::DEFAULT_LISTEN.into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(promdecl_server::shutdown_signal())
        .await?;
    Ok(())
}
