//! The OCS envelope: `{"ocs":{"meta":{...},"data":...}}`.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::adapters::nextcloud::errors::ocs_status;
use crate::ports::nextcloud::NextcloudError;

#[derive(Deserialize)]
struct Envelope<T> {
    ocs: Body<T>,
}

#[derive(Deserialize)]
struct Body<T> {
    meta: Meta,
    data: Option<T>,
}

#[derive(Deserialize)]
struct Meta {
    statuscode: u16,
    #[serde(default)]
    message: Option<String>,
}

/// Unwraps an OCS v1 or v2 reply. v1 reports success as 100 and errors with
/// HTTP 200, so the meta status code decides, not the HTTP status.
pub fn unwrap_ocs<T: DeserializeOwned>(body: &[u8], what: &str) -> Result<T, NextcloudError> {
    let envelope: Envelope<serde_json::Value> = serde_json::from_slice(body)
        .map_err(|e| NextcloudError::Protocol(format!("OCS reply for {what} is not JSON: {e}")))?;
    let code = envelope.ocs.meta.statuscode;
    if code != 100 && !(200..300).contains(&code) {
        let message = envelope.ocs.meta.message.unwrap_or_default();
        return Err(ocs_status(code, what, &message));
    }
    let data = envelope.ocs.data.unwrap_or(serde_json::Value::Null);
    serde_json::from_value(data)
        .map_err(|e| NextcloudError::Protocol(format!("unexpected OCS data for {what}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_and_v2_success_and_errors() {
        let v2 = br#"{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":{"id":"admin"}}}"#;
        let data: serde_json::Value = unwrap_ocs(v2, "user").unwrap();
        assert_eq!(data["id"], "admin");
        let v1 = br#"{"ocs":{"meta":{"status":"ok","statuscode":100,"message":"OK","totalitems":"","itemsperpage":""},"data":{"id":"admin"}}}"#;
        assert!(unwrap_ocs::<serde_json::Value>(v1, "user").is_ok());
        let v1_missing = br#"{"ocs":{"meta":{"status":"failure","statuscode":998,"message":"Invalid query"},"data":[]}}"#;
        assert_eq!(
            unwrap_ocs::<serde_json::Value>(v1_missing, "endpoint").unwrap_err(),
            NextcloudError::NotFound("endpoint".into())
        );
        let unauth = br#"{"ocs":{"meta":{"status":"failure","statuscode":997,"message":"Current user is not logged in"},"data":[]}}"#;
        assert_eq!(
            unwrap_ocs::<serde_json::Value>(unauth, "x").unwrap_err(),
            NextcloudError::CredentialRejected
        );
    }
}
