//! Sharing over OCS (`/ocs/v2.php/apps/files_sharing/api/v1`).

use async_trait::async_trait;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::http::NextcloudSession;
use crate::domain::shares::{
    Share, ShareDraft, SharePatch, ShareQuery, ShareType, Sharee, permission_words,
};
use crate::ports::nextcloud::{NextcloudError, SharesApi};

const SHARES: &str = "ocs/v2.php/apps/files_sharing/api/v1/shares";
const SHAREES: &str = "ocs/v2.php/apps/files_sharing/api/v1/sharees";
/// The sharee search's own page size.
const DEFAULT_SHAREE_LIMIT: u32 = 25;

/// Share ids come as strings ("11"); accept numbers too.
fn id_of(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

#[derive(Deserialize)]
struct WireShare {
    id: Value,
    share_type: i64,
    #[serde(default)]
    uid_owner: String,
    #[serde(default)]
    permissions: u8,
    #[serde(default)]
    stime: i64,
    #[serde(default)]
    expiration: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    path: String,
    #[serde(default)]
    item_type: String,
    #[serde(default)]
    share_with: Option<String>,
    #[serde(default)]
    share_with_displayname: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

impl WireShare {
    fn into_share(self) -> Result<Share, NextcloudError> {
        let id = id_of(&self.id).ok_or_else(|| {
            NextcloudError::Protocol("a share in the reply has no numeric id".into())
        })?;
        let kind = ShareType::from_code(self.share_type);
        // For links, share_with holds the password hash: never pass it on.
        let share_with = if kind == ShareType::PublicLink {
            None
        } else {
            self.share_with.filter(|s| !s.is_empty())
        };
        Ok(Share {
            id,
            share_type: self.share_type,
            share_type_name: kind.name(),
            path: self.path,
            item_type: self.item_type,
            permissions: self.permissions,
            permission_names: permission_words(self.permissions),
            share_with,
            share_with_displayname: self.share_with_displayname,
            owner: self.uid_owner,
            url: self.url.filter(|u| !u.is_empty()),
            expiration: self.expiration.filter(|e| !e.is_empty()),
            label: self.label.unwrap_or_default(),
            note: self.note.unwrap_or_default(),
            has_password: self.password.is_some_and(|p| !p.is_empty()),
            created: self.stime,
        })
    }
}

/// Some replies wrap a single share in a list (GET by id, fixture ocs-shares/08).
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(Box<WireShare>),
    Many(Vec<WireShare>),
}

fn what(share_id: u64) -> String {
    format!("share {share_id}")
}

#[derive(Deserialize, Default)]
struct WireShareeValue {
    #[serde(rename = "shareType")]
    share_type: i64,
    #[serde(rename = "shareWith")]
    share_with: Value,
}

#[derive(Deserialize)]
struct WireSharee {
    #[serde(default)]
    label: String,
    #[serde(default)]
    value: WireShareeValue,
}

const SHAREE_KINDS: [&str; 7] = [
    "users",
    "groups",
    "remotes",
    "remote_groups",
    "emails",
    "circles",
    "rooms",
];

fn sharees(data: &Value) -> Vec<Sharee> {
    let mut found: Vec<Sharee> = Vec::new();
    let groups = [data.get("exact"), Some(data)];
    for group in groups.into_iter().flatten() {
        for kind in SHAREE_KINDS {
            let Some(list) = group.get(kind).and_then(Value::as_array) else {
                continue;
            };
            for item in list {
                let Ok(wire) = serde_json::from_value::<WireSharee>(item.clone()) else {
                    continue;
                };
                let share_with = match wire.value.share_with {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                let kind = ShareType::from_code(wire.value.share_type);
                let duplicate = found
                    .iter()
                    .any(|s| s.share_with == share_with && s.share_type == kind.code());
                if !duplicate && !share_with.is_empty() {
                    found.push(Sharee {
                        label: wire.label,
                        share_type: kind.code(),
                        share_type_name: kind.name(),
                        share_with,
                    });
                }
            }
        }
    }
    found
}

#[async_trait]
impl SharesApi for NextcloudSession {
    async fn list_shares(&self, query: &ShareQuery) -> Result<Vec<Share>, NextcloudError> {
        let mut request = self.ocs_request(Method::GET, SHARES)?;
        if let Some(path) = &query.path {
            request = request.query(&[("path", path.to_string())]);
            if query.reshares {
                request = request.query(&[("reshares", "true")]);
            }
            if query.subfiles {
                request = request.query(&[("subfiles", "true")]);
            }
        }
        if query.shared_with_me {
            request = request.query(&[("shared_with_me", "true")]);
        }
        let what = match &query.path {
            Some(path) => format!("the shares of {path}"),
            None => "the share list".to_string(),
        };
        let wire: Vec<WireShare> = self.ocs_call(request, &what).await?;
        wire.into_iter().map(WireShare::into_share).collect()
    }

    async fn get_share(&self, share_id: u64) -> Result<Share, NextcloudError> {
        let request = self.ocs_request(Method::GET, &format!("{SHARES}/{share_id}"))?;
        match self.ocs_call(request, &what(share_id)).await? {
            OneOrMany::One(share) => share.into_share(),
            OneOrMany::Many(list) => list
                .into_iter()
                .next()
                .ok_or_else(|| NextcloudError::NotFound(what(share_id)))?
                .into_share(),
        }
    }

    async fn create_share(&self, draft: &ShareDraft) -> Result<Share, NextcloudError> {
        let mut body = json!({
            "path": draft.path.to_string(),
            "shareType": draft.share_type.code(),
        });
        let optional = [
            ("shareWith", draft.share_with.as_ref().map(|s| json!(s))),
            ("permissions", draft.permissions.map(|p| json!(p))),
            ("password", draft.password.as_ref().map(|p| json!(p))),
            (
                "expireDate",
                draft.expire_date.map(|d| json!(d.to_string())),
            ),
            ("label", draft.label.as_ref().map(|l| json!(l))),
            ("note", draft.note.as_ref().map(|n| json!(n))),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                body[key] = value;
            }
        }
        let request = self.ocs_request(Method::POST, SHARES)?.json(&body);
        let wire: WireShare = self.ocs_call(request, &draft.path.to_string()).await?;
        wire.into_share()
    }

    async fn update_share(
        &self,
        share_id: u64,
        patch: &SharePatch,
    ) -> Result<Share, NextcloudError> {
        let mut body = json!({});
        let fields = [
            ("permissions", patch.permissions.map(|p| json!(p))),
            ("password", patch.password.as_ref().map(|p| json!(p))),
            ("expireDate", patch.expire_date.as_ref().map(|d| json!(d))),
            ("label", patch.label.as_ref().map(|l| json!(l))),
            ("note", patch.note.as_ref().map(|n| json!(n))),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                body[key] = value;
            }
        }
        let request = self
            .ocs_request(Method::PUT, &format!("{SHARES}/{share_id}"))?
            .json(&body);
        let wire: WireShare = self.ocs_call(request, &what(share_id)).await?;
        wire.into_share()
    }

    async fn delete_share(&self, share_id: u64) -> Result<(), NextcloudError> {
        let request = self.ocs_request(Method::DELETE, &format!("{SHARES}/{share_id}"))?;
        self.ocs_call::<Value>(request, &what(share_id))
            .await
            .map(drop)
    }

    async fn find_sharees(&self, search: &str, limit: u32) -> Result<Vec<Sharee>, NextcloudError> {
        let mut request = self
            .ocs_request(Method::GET, SHAREES)?
            .query(&[("search", search), ("itemType", "file")]);
        if limit != DEFAULT_SHAREE_LIMIT {
            request = request.query(&[("perPage", limit)]);
        }
        let data: Value = self.ocs_call(request, "the sharee search").await?;
        let mut found = sharees(&data);
        found.truncate(limit as usize);
        Ok(found)
    }
}
