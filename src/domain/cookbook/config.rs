//! Cookbook's per-user settings: the recipe folder, how often the app
//! rescans it, and whether printing includes the image.

use serde::Serialize;

use crate::domain::path::UserPath;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CookbookConfig {
    /// The folder of the user's Files that holds the recipes.
    pub folder: Option<String>,
    /// Minutes between rescans of that folder.
    pub update_interval: Option<u64>,
    pub print_image: Option<bool>,
}

/// A change to the settings; `None` keeps a setting.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConfigPatch {
    pub folder: Option<UserPath>,
    pub update_interval: Option<u64>,
    pub print_image: Option<bool>,
}

/// A week: longer intervals are mistakes (Cookbook's own UI offers minutes).
pub const MAX_UPDATE_INTERVAL_MINUTES: i64 = 7 * 24 * 60;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigInputError {
    #[error("nothing to change: give at least one of folder, update_interval, print_image")]
    EmptyUpdate,
    #[error(
        "update_interval {0} is out of range; give minutes from 1 to {MAX_UPDATE_INTERVAL_MINUTES}"
    )]
    BadInterval(i64),
    #[error("folder: {0}")]
    BadFolder(String),
}

impl ConfigPatch {
    /// Checks the raw arguments of a settings change.
    pub fn parse(
        folder: Option<&str>,
        update_interval: Option<i64>,
        print_image: Option<bool>,
    ) -> Result<Self, ConfigInputError> {
        if folder.is_none() && update_interval.is_none() && print_image.is_none() {
            return Err(ConfigInputError::EmptyUpdate);
        }
        let folder = folder
            .map(|raw| {
                UserPath::parse_non_root(raw)
                    .map_err(|e| ConfigInputError::BadFolder(e.to_string()))
            })
            .transpose()?;
        let update_interval = update_interval
            .map(|minutes| {
                u64::try_from(minutes)
                    .ok()
                    .filter(|_| (1..=MAX_UPDATE_INTERVAL_MINUTES).contains(&minutes))
                    .ok_or(ConfigInputError::BadInterval(minutes))
            })
            .transpose()?;
        Ok(Self {
            folder,
            update_interval,
            print_image,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_needs_a_field_and_sane_values() {
        assert_eq!(
            ConfigPatch::parse(None, None, None),
            Err(ConfigInputError::EmptyUpdate)
        );
        let patch = ConfigPatch::parse(Some("Recipes/"), Some(10), Some(false)).unwrap();
        assert_eq!(patch.folder.unwrap().to_string(), "/Recipes");
        assert_eq!(patch.update_interval, Some(10));
        assert_eq!(
            ConfigPatch::parse(None, Some(0), None),
            Err(ConfigInputError::BadInterval(0))
        );
        assert!(ConfigPatch::parse(None, Some(-5), None).is_err());
        assert!(ConfigPatch::parse(None, Some(MAX_UPDATE_INTERVAL_MINUTES + 1), None).is_err());
        assert!(matches!(
            ConfigPatch::parse(Some("../x"), None, None),
            Err(ConfigInputError::BadFolder(_))
        ));
        assert!(ConfigPatch::parse(Some("/"), None, None).is_err());
    }
}
