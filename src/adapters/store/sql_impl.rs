//! The port implementations, written once for both sqlx drivers.
//!
//! A macro rather than generics over `sqlx::Database`: the SQL is shared
//! (see `common`), and the trait bounds a generic version needs would be
//! longer than the code. The store type must have `pool` (a sqlx pool) and
//! `sealer` (a `common::Sealer`) fields.

macro_rules! impl_sql_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::ports::store::TokenStore for $store {
            async fn put_grant(&self, grant: &RefreshGrant) -> Result<(), StoreError> {
                let (sealed, version) = self.sealer.seal(
                    Purpose::RefreshToken,
                    &grant.subject,
                    &grant.provider,
                    &grant.refresh_token,
                )?;
                sqlx::query(common::UPSERT_GRANT)
                    .bind(&grant.subject)
                    .bind(&grant.provider)
                    .bind(sealed)
                    .bind(version)
                    .bind(common::scopes_to_text(&grant.scopes))
                    .bind(grant.granted_at.0)
                    .execute(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(())
            }

            async fn get_grant(
                &self,
                subject: &str,
                provider: &str,
            ) -> Result<Option<RefreshGrant>, StoreError> {
                let row: Option<common::GrantRow> = sqlx::query_as(common::GET_GRANT)
                    .bind(subject)
                    .bind(provider)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                row.map(|r| common::grant_from_row(&self.sealer, r)).transpose()
            }

            async fn delete_grant(&self, subject: &str, provider: &str) -> Result<bool, StoreError> {
                let done = sqlx::query(common::DELETE_GRANT)
                    .bind(subject)
                    .bind(provider)
                    .execute(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(done.rows_affected() > 0)
            }

            async fn list_provisioned(&self) -> Result<Vec<ProvisionedUser>, StoreError> {
                let rows: Vec<common::ProvisionedRow> = sqlx::query_as(common::LIST_PROVISIONED)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                rows.into_iter().map(common::provisioned_from_row).collect()
            }

            async fn save_pending(&self, pending: &PendingConsent) -> Result<(), StoreError> {
                let (sealed, version) = self.sealer.seal(
                    Purpose::PkceVerifier,
                    &pending.subject,
                    &pending.provider,
                    &pending.pkce_verifier,
                )?;
                let mut tx = self.pool.begin().await.map_err(common::db_error)?;
                sqlx::query(common::REPLACE_PENDING_OF)
                    .bind(&pending.subject)
                    .bind(&pending.provider)
                    .execute(&mut *tx)
                    .await
                    .map_err(common::db_error)?;
                sqlx::query(common::INSERT_PENDING)
                    .bind(&pending.state)
                    .bind(&pending.subject)
                    .bind(&pending.provider)
                    .bind(sealed)
                    .bind(version)
                    .bind(common::scopes_to_text(&pending.scopes))
                    .bind(pending.expires_at.0)
                    .bind(pending.client_id.as_deref())
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| match common::db_error(e) {
                        StoreError::Conflict(_) => {
                            StoreError::Conflict("a pending consent with this state".into())
                        }
                        other => other,
                    })?;
                tx.commit().await.map_err(common::db_error)?;
                Ok(())
            }

            async fn take_pending(&self, state: &str) -> Result<Option<PendingConsent>, StoreError> {
                let row: Option<common::PendingRow> = sqlx::query_as(common::TAKE_PENDING)
                    .bind(state)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                row.map(|r| common::pending_from_row(&self.sealer, r)).transpose()
            }

            async fn purge_expired_pending(&self, now: UnixTime) -> Result<u64, StoreError> {
                let done = sqlx::query(common::PURGE_PENDING)
                    .bind(now.0)
                    .execute(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(done.rows_affected())
            }

            async fn append_audit(&self, event: &AuditEvent) -> Result<(), StoreError> {
                let (outcome, reason) = event.outcome.to_parts();
                sqlx::query(common::INSERT_AUDIT)
                    .bind(event.kind.as_str())
                    .bind(&event.subject)
                    .bind(event.client_id.as_deref())
                    .bind(event.at.0)
                    .bind(outcome)
                    .bind(reason)
                    .execute(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(())
            }

            async fn recent_audit(
                &self,
                subject: Option<String>,
                limit: u32,
            ) -> Result<Vec<AuditEvent>, StoreError> {
                let rows: Vec<common::AuditRow> = sqlx::query_as(common::RECENT_AUDIT)
                    .bind(subject)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                rows.into_iter().map(common::audit_from_row).collect()
            }

            async fn claim_refresh(
                &self,
                subject: &str,
                provider: &str,
                terms: ClaimTerms,
            ) -> Result<Option<ClaimedGrant>, StoreError> {
                let row: Option<lease_sql::ClaimRow> = sqlx::query_as(lease_sql::CLAIM_GRANT)
                    .bind(subject)
                    .bind(provider)
                    .bind(terms.lease_until.0)
                    .bind(terms.now.0)
                    .bind(terms.refreshed_before.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                let Some((s, p, sealed, key_version, scopes, granted_at, version)) = row else {
                    return Ok(None);
                };
                let row = (s, p, sealed, key_version, scopes, granted_at);
                match common::grant_from_row(&self.sealer, row) {
                    Ok(grant) => Ok(Some(ClaimedGrant { grant, version })),
                    Err(e) => {
                        // Unusable here: let the lease go rather than block
                        // a replica that can open it.
                        self.release_refresh(subject, provider, version).await.ok();
                        Err(e)
                    }
                }
            }

            async fn finish_refresh(
                &self,
                subject: &str,
                provider: &str,
                from_version: i64,
                rotated: Option<SecretString>,
                now: UnixTime,
            ) -> Result<bool, StoreError> {
                let done = match rotated {
                    Some(token) => {
                        let (sealed, key_version) =
                            self.sealer.seal(Purpose::RefreshToken, subject, provider, &token)?;
                        sqlx::query(lease_sql::FINISH_ROTATED)
                            .bind(sealed)
                            .bind(key_version)
                            .bind(now.0)
                            .bind(subject)
                            .bind(provider)
                            .bind(from_version)
                            .execute(&self.pool)
                            .await
                    }
                    None => {
                        sqlx::query(lease_sql::FINISH_KEPT)
                            .bind(now.0)
                            .bind(subject)
                            .bind(provider)
                            .bind(from_version)
                            .execute(&self.pool)
                            .await
                    }
                }
                .map_err(common::db_error)?;
                Ok(done.rows_affected() > 0)
            }

            async fn release_refresh(
                &self,
                subject: &str,
                provider: &str,
                from_version: i64,
            ) -> Result<(), StoreError> {
                sqlx::query(lease_sql::RELEASE_GRANT)
                    .bind(subject)
                    .bind(provider)
                    .bind(from_version)
                    .execute(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(())
            }

            async fn mark_needs_consent(
                &self,
                subject: &str,
                provider: &str,
                from_version: i64,
                now: UnixTime,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(lease_sql::MARK_NEEDS_CONSENT)
                    .bind(now.0)
                    .bind(subject)
                    .bind(provider)
                    .bind(from_version)
                    .execute(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(done.rows_affected() > 0)
            }

            async fn grant_state(
                &self,
                subject: &str,
                provider: &str,
            ) -> Result<Option<GrantState>, StoreError> {
                let row: Option<lease_sql::GrantStateRow> = sqlx::query_as(lease_sql::GRANT_STATE)
                    .bind(subject)
                    .bind(provider)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(row.map(lease_sql::state_from_row))
            }

            async fn reseal_all(&self) -> Result<ResealReport, StoreError> {
                let current = i64::from(self.sealer.keyring()?.current_version());
                let mut report = ResealReport::default();
                // Rows keyed by (subject, provider): refresh tokens, and
                // login-flow mode's app passwords and poll tokens.
                let keyed = [
                    (common::STALE_GRANTS, common::RESEAL_GRANT, Purpose::RefreshToken),
                    (
                        $crate::adapters::store::app_password_sql::STALE_ACCOUNTS,
                        $crate::adapters::store::app_password_sql::RESEAL_ACCOUNT,
                        Purpose::AppPassword,
                    ),
                    (
                        $crate::adapters::store::app_password_sql::STALE_FLOWS,
                        $crate::adapters::store::app_password_sql::RESEAL_FLOW,
                        Purpose::LoginFlowPollToken,
                    ),
                ];
                for (stale, rewrite, purpose) in keyed {
                    let rows: Vec<common::StaleGrantRow> = sqlx::query_as(stale)
                        .bind(current)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(common::db_error)?;
                    for (subject, provider, sealed, version) in rows {
                        match self.sealer.reseal(purpose, &subject, &provider, version, &sealed) {
                            Ok((bytes, new_version)) => {
                                let done = sqlx::query(rewrite)
                                    .bind(bytes)
                                    .bind(new_version)
                                    .bind(&subject)
                                    .bind(&provider)
                                    .bind(version)
                                    .bind(&sealed)
                                    .execute(&self.pool)
                                    .await
                                    .map_err(common::db_error)?;
                                report.resealed += done.rows_affected();
                            }
                            Err(e @ StoreError::CannotOpen { .. }) => {
                                tracing::warn!(error = %e, "reseal: row left as it is");
                                report.unreadable += 1;
                            }
                            Err(e) => return Err(e),
                        }
                    }
                }
                let pending: Vec<common::StalePendingRow> = sqlx::query_as(common::STALE_PENDING)
                    .bind(current)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                for (state, subject, provider, sealed, version) in pending {
                    let purpose = Purpose::PkceVerifier;
                    match self.sealer.reseal(purpose, &subject, &provider, version, &sealed) {
                        Ok((bytes, new_version)) => {
                            let done = sqlx::query(common::RESEAL_PENDING)
                                .bind(bytes)
                                .bind(new_version)
                                .bind(&state)
                                .bind(version)
                                .bind(&sealed)
                                .execute(&self.pool)
                                .await
                                .map_err(common::db_error)?;
                            report.resealed += done.rows_affected();
                        }
                        Err(e @ StoreError::CannotOpen { .. }) => {
                            tracing::warn!(error = %e, "reseal: pending consent left as it is");
                            report.unreadable += 1;
                        }
                        Err(e) => return Err(e),
                    }
                }
                Ok(report)
            }
        }

        #[async_trait::async_trait]
        impl $crate::ports::store::WebhookStore for $store {
            async fn insert_webhook(
                &self,
                new: &NewWebhook,
            ) -> Result<WebhookRegistration, StoreError> {
                let status = WebhookStatus::Pending;
                let (id,): (i64,) = sqlx::query_as(common::INSERT_WEBHOOK)
                    .bind(&new.event)
                    .bind(new.filter.to_string())
                    .bind(&new.uri)
                    .bind(new.created_at.0)
                    .bind(status.as_str())
                    .fetch_one(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(WebhookRegistration {
                    id,
                    nextcloud_id: None,
                    event: new.event.clone(),
                    filter: new.filter.clone(),
                    uri: new.uri.clone(),
                    created_at: new.created_at,
                    status,
                })
            }

            async fn claim_webhook(
                &self,
                id: i64,
                now: UnixTime,
                lease_until: UnixTime,
            ) -> Result<bool, StoreError> {
                let done = sqlx::query(lease_sql::CLAIM_WEBHOOK)
                    .bind(id)
                    .bind(lease_until.0)
                    .bind(now.0)
                    .execute(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(done.rows_affected() > 0)
            }

            async fn update_webhook(
                &self,
                id: i64,
                status: WebhookStatus,
                nextcloud_id: Option<i64>,
            ) -> Result<(), StoreError> {
                let done = sqlx::query(common::UPDATE_WEBHOOK)
                    .bind(status.as_str())
                    .bind(nextcloud_id)
                    .bind(id)
                    .execute(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound(format!("webhook registration {id}")));
                }
                Ok(())
            }

            async fn list_webhooks(&self) -> Result<Vec<WebhookRegistration>, StoreError> {
                let rows: Vec<common::WebhookRow> = sqlx::query_as(common::LIST_WEBHOOKS)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                rows.into_iter().map(common::webhook_from_row).collect()
            }

            async fn delete_webhook(&self, id: i64) -> Result<(), StoreError> {
                let done = sqlx::query(common::DELETE_WEBHOOK)
                    .bind(id)
                    .execute(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound(format!("webhook registration {id}")));
                }
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::ports::store::JobLeases for $store {
            async fn try_lease(
                &self,
                name: &str,
                holder: &str,
                now: UnixTime,
                lease_until: UnixTime,
            ) -> Result<bool, StoreError> {
                let row: Option<(String,)> = sqlx::query_as(lease_sql::TRY_LEASE)
                    .bind(name)
                    .bind(holder)
                    .bind(lease_until.0)
                    .bind(now.0)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(row.is_some())
            }

            async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError> {
                sqlx::query(lease_sql::RELEASE_LEASE)
                    .bind(name)
                    .bind(holder)
                    .execute(&self.pool)
                    .await
                    .map_err(common::db_error)?;
                Ok(())
            }
        }
    };
}

pub(crate) use impl_sql_store;
