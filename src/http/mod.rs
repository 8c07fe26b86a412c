//! Front doors over HTTP. Each translates its protocol into commands and their outcomes
//! back into responses; none holds business logic or SQL.
//!
//! Reserved paths (registered before the key routes): `/health`. Keys live at `/<key>/`,
//! always with the trailing slash, so no key can shadow them.

mod error;
mod native;
mod ops;

use actix_web::web;

pub use error::ApiError;
pub use native::Limits;

/// Every route, shared by the server and the tests.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/health")
            .route(web::get().to(ops::health))
            .default_service(web::to(ops::method_not_allowed("GET"))),
    )
    .service(
        web::resource("/{key:.*}/")
            .route(web::get().to(native::get_key))
            .route(web::post().to(native::set_key))
            .route(web::delete().to(native::delete_key))
            .default_service(web::to(ops::method_not_allowed("GET, POST, DELETE"))),
    )
    .default_service(web::to(ops::not_found));
}
