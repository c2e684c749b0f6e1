-- Tokens end on a date. Rows made before this column existed have none; the code counts the
-- default lifetime from their creation (domain::api_token::expiry).
ALTER TABLE api_tokens ADD COLUMN expires_at {ts};
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
