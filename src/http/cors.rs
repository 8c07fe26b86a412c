//! Cross-origin calls from web pages (CORS), allowed only for configured origins.

use actix_cors::Cors;
use actix_web::http::Uri;

/// The CORS policy for `origins` (each validated by [`parse_origin`], none empty); `*`
/// allows any.
pub fn cors(origins: &[String]) -> Cors {
    let cors = if origins.iter().any(|origin| origin == "*") {
        Cors::default().allow_any_origin()
    } else {
        origins
            .iter()
            .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
    };
    cors.allowed_methods(["GET", "HEAD", "POST", "PUT", "DELETE"])
        .allow_any_header()
        .expose_headers(["x-request-id", "upstash-sync-token"])
        .max_age(3600)
}

/// An allowed origin as browsers send it, `scheme://host[:port]`, or `*`. Anything else
/// could never match a browser's `Origin` header, so it is refused at start; but an empty
/// one is no origin at all, as an empty `LITEKV_CORS_ORIGINS=` means none.
pub fn parse_origin(origin: &str) -> Result<String, String> {
    if origin.is_empty() {
        return Ok(String::new());
    }
    let uri: Uri = origin
        .parse()
        .map_err(|_| format!("{origin:?} is not an origin such as https://app.example.com"))?;
    let bare = uri.scheme().is_some() && uri.authority().is_some() && origin.matches('/').count() == 2;
    match origin == "*" || bare {
        true => Ok(origin.to_owned()),
        false => Err(format!(
            "{origin:?} is not an origin: write scheme://host[:port], such as https://app.example.com, with no path"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        for good in ["*", "https://app.example.com", "http://localhost:3000", ""] {
            assert_eq!(parse_origin(good).as_deref(), Ok(good));
        }
        for bad in [
            "app.example.com",
            "https://app.example.com/",
            "https://a.com/path",
            "**",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad:?}");
        }
    }
}
