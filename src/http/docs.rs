//! The API's documentation: an OpenAPI 3 document generated from the handlers'
//! `#[utoipa::path]` attributes and the response types, and Swagger UI to browse it, both
//! served from the binary (Swagger UI's files are embedded at build time: no CDN).

use actix_web::{HttpResponse, web};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use super::{compat, native, ops, upstash};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "litekv",
        description = "A persistent, Redis-compatible key-value store over HTTP. Three doors to the \
                       same keys: the JSON API (`/<key>/`), the Redis API in Upstash's REST protocol, \
                       and the RedisLite API (`/api/...`). With tokens configured, every operation \
                       but the probes needs one: `Authorization: Bearer <token>` or `?_token=<token>`."
    ),
    paths(
        native::get_key,
        native::set_key,
        native::delete_key,
        upstash::command,
        upstash::pipeline,
        upstash::multi_exec,
        upstash::path_command,
        compat::set,
        compat::get,
        compat::delete,
        compat::exists,
        ops::health,
        ops::ready,
        ops::metrics,
    ),
    modifiers(&BearerToken),
    security(("token" = []))
)]
struct ApiDoc;

/// Declares the `token` security scheme the operations name.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("token", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// `/openapi.json`, Swagger UI under `/docs/`, and `/docs` and `/redoc` sending browsers
/// there. ReDoc has no build that works without a CDN short of committing its bundle to
/// this repository, so `/redoc` redirects rather than serve a page that cannot load.
pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", ApiDoc::openapi()))
        .route("/docs", web::get().to(to_swagger_ui))
        .route("/redoc", web::get().to(to_swagger_ui));
}

async fn to_swagger_ui() -> HttpResponse {
    HttpResponse::TemporaryRedirect()
        .insert_header(("location", "/docs/"))
        .finish()
}
