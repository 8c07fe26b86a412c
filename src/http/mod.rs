//! Front doors over HTTP. Each translates its protocol into commands and their outcomes
//! back into responses; none holds business logic or SQL.
//!
//! Routes, matched in this order (HEAD is served wherever GET is, by [`frame`]):
//! - reserved paths: the documentation (`/openapi.json`, `/docs`, `/docs/...`, `/redoc`),
//!   `/health`, `/ready`, `/metrics`, `/pipeline`, `/multi-exec`, `/` (GET: the index;
//!   POST: Upstash, one command), and `/api/set`, `/api/get`, `/api/delete`, `/api/exists`
//!   (RedisLite);
//! - `/<key>/`, always with the trailing slash: the native JSON API;
//! - any other path, without a trailing slash: an Upstash path-style command (`/get/k`).

mod access;
mod body;
mod compat;
mod cors;
mod docs;
mod error;
mod frame;
mod native;
mod ops;
mod pubsub;
mod upstash;
mod watch;

use actix_web::guard;
use actix_web::web;

pub use body::Limits;
pub use cors::cors;
pub use error::ApiError;
pub use frame::frame;

/// Every route, shared by the server and the tests.
pub fn configure(cfg: &mut web::ServiceConfig) {
    docs::configure(cfg);
    cfg.service(only("/health", web::get(), "GET, HEAD", ops::health))
        .service(only("/ready", web::get(), "GET, HEAD", ops::ready))
        .service(only("/metrics", web::get(), "GET, HEAD", ops::metrics))
        .service(only("/console", web::get(), "GET, HEAD", ops::console))
        .service(
            web::resource("/")
                .route(web::get().to(ops::index))
                .route(web::post().to(upstash::command))
                .default_service(web::to(ops::method_not_allowed("GET, HEAD, POST"))),
        )
        .service(only("/pipeline", web::post(), "POST", upstash::pipeline))
        .service(only("/multi-exec", web::post(), "POST", upstash::multi_exec))
        .service(only("/subscribe/{channel}", web::post(), "POST", pubsub::subscribe))
        .service(only("/psubscribe/{pattern}", web::post(), "POST", pubsub::psubscribe))
        // Before the path-style commands, whose WATCH no HTTP client can use (it needs a
        // connection of its own).
        .service(only("/watch/{key:.+}", web::get(), "GET, HEAD", watch::watch_key))
        .service(only("/api/set", web::post(), "POST", compat::set))
        .service(only("/api/get", web::get(), "GET, HEAD", compat::get))
        .service(only("/api/delete", web::delete(), "DELETE", compat::delete))
        .service(only("/api/exists", web::get(), "GET, HEAD", compat::exists))
        .service(
            web::resource("/{key:.*}/")
                .route(web::get().to(native::get_key))
                .route(web::post().to(native::set_key))
                .route(web::delete().to(native::delete_key))
                .default_service(web::to(ops::method_not_allowed("GET, HEAD, POST, DELETE"))),
        )
        .service(
            web::resource("/{command:.+}")
                .route(
                    web::route()
                        .guard(
                            guard::Any(guard::Get())
                                .or(guard::Head())
                                .or(guard::Post())
                                .or(guard::Put()),
                        )
                        .to(upstash::path_command),
                )
                .default_service(web::to(ops::method_not_allowed_because(
                    "GET, HEAD, POST, PUT",
                    json_api_needs_the_slash,
                ))),
        );
}

/// A method only the JSON API takes, on a path without the trailing slash its keys need.
fn json_api_needs_the_slash(request: &actix_web::HttpRequest) -> String {
    format!(
        " (Redis commands in the path); keys of the JSON API are addressed as /<key>/, with the \
         trailing slash: {} {}/",
        request.method(),
        request.path()
    )
}

/// A path that takes one method (GET comes with HEAD); others get 405 naming them.
fn only<F, Args>(path: &str, route: actix_web::Route, method: &'static str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path)
        .route(route.to(handler))
        .default_service(web::to(ops::method_not_allowed(method)))
}
