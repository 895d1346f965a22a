-- Tenants, identities and who may act for which tenant.

CREATE TABLE CLIENT (
    client_id   TEXT PRIMARY KEY,
    client_name TEXT NOT NULL,
    is_active   INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1))
);

-- Global identity: a user is not tenant data; its assignments are.
CREATE TABLE USER (
    user_id   INTEGER PRIMARY KEY,
    username  TEXT NOT NULL UNIQUE,
    role      TEXT NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1))
);

CREATE TABLE USER_CLIENT_ASSIGNMENT (
    client_id TEXT NOT NULL REFERENCES CLIENT (client_id),
    user_id   INTEGER NOT NULL REFERENCES USER (user_id),
    is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    PRIMARY KEY (client_id, user_id)
);
CREATE INDEX idx_user_client_assignment_user ON USER_CLIENT_ASSIGNMENT (user_id, client_id);

-- Shared reference data.
CREATE TABLE PRODUCT (
    product_id             INTEGER PRIMARY KEY,
    product_code           TEXT NOT NULL UNIQUE,
    product_name           TEXT NOT NULL,
    ideal_cycle_time_hours REAL NOT NULL CHECK (ideal_cycle_time_hours > 0)
);

CREATE TABLE SHIFT (
    shift_id   INTEGER PRIMARY KEY,
    shift_name TEXT NOT NULL UNIQUE,
    start_time TEXT NOT NULL,
    end_time   TEXT NOT NULL
);
