-- Work orders and what is produced against them. Every tenant table has
-- client_id NOT NULL with a foreign key to CLIENT and an index that starts with it;
-- children reference their parent through (client_id, parent_id), so a row can never
-- point at another client's parent.

CREATE TABLE WORK_ORDER (
    client_id            TEXT NOT NULL REFERENCES CLIENT (client_id),
    work_order_id        TEXT NOT NULL,
    product_id           INTEGER NOT NULL REFERENCES PRODUCT (product_id),
    status               TEXT NOT NULL,
    planned_quantity     INTEGER NOT NULL CHECK (planned_quantity >= 0),
    required_date        TEXT,
    planned_ship_date    TEXT,
    actual_delivery_date TEXT,
    planned_start_date   TEXT,
    delay_classification TEXT,
    PRIMARY KEY (client_id, work_order_id)
);
CREATE INDEX idx_work_order_required ON WORK_ORDER (client_id, required_date);

CREATE TABLE JOB (
    client_id          TEXT NOT NULL REFERENCES CLIENT (client_id),
    job_id             TEXT NOT NULL,
    work_order_id      TEXT NOT NULL,
    part_number        TEXT NOT NULL,
    completed_quantity INTEGER NOT NULL DEFAULT 0 CHECK (completed_quantity >= 0),
    quantity_scrapped  INTEGER NOT NULL DEFAULT 0 CHECK (quantity_scrapped >= 0),
    PRIMARY KEY (client_id, job_id),
    FOREIGN KEY (client_id, work_order_id) REFERENCES WORK_ORDER (client_id, work_order_id)
);
CREATE INDEX idx_job_work_order ON JOB (client_id, work_order_id);

CREATE TABLE PRODUCTION_ENTRY (
    production_entry_id INTEGER PRIMARY KEY,
    client_id           TEXT NOT NULL REFERENCES CLIENT (client_id),
    product_id          INTEGER NOT NULL REFERENCES PRODUCT (product_id),
    shift_id            INTEGER NOT NULL REFERENCES SHIFT (shift_id),
    work_order_id       TEXT,
    shift_date          TEXT NOT NULL,
    units_produced      INTEGER NOT NULL CHECK (units_produced >= 0),
    run_time_hours      REAL NOT NULL CHECK (run_time_hours >= 0),
    employees_assigned  INTEGER CHECK (employees_assigned >= 0),
    employees_present   INTEGER CHECK (employees_present >= 0),
    defect_count        INTEGER NOT NULL DEFAULT 0 CHECK (defect_count >= 0),
    scrap_count         INTEGER NOT NULL DEFAULT 0 CHECK (scrap_count >= 0),
    confirmed_by        INTEGER REFERENCES USER (user_id),
    UNIQUE (client_id, production_entry_id),
    FOREIGN KEY (client_id, work_order_id) REFERENCES WORK_ORDER (client_id, work_order_id)
);
CREATE INDEX idx_production_entry_date ON PRODUCTION_ENTRY (client_id, shift_date);

CREATE TABLE DOWNTIME_ENTRY (
    downtime_entry_id INTEGER PRIMARY KEY,
    client_id         TEXT NOT NULL REFERENCES CLIENT (client_id),
    work_order_id     TEXT,
    shift_date        TEXT NOT NULL,
    reason            TEXT NOT NULL,
    duration_minutes  INTEGER NOT NULL CHECK (duration_minutes >= 0),
    is_planned        INTEGER NOT NULL DEFAULT 0 CHECK (is_planned IN (0, 1)),
    UNIQUE (client_id, downtime_entry_id),
    FOREIGN KEY (client_id, work_order_id) REFERENCES WORK_ORDER (client_id, work_order_id)
);
CREATE INDEX idx_downtime_entry_date ON DOWNTIME_ENTRY (client_id, shift_date);

CREATE TABLE HOLD_ENTRY (
    hold_entry_id INTEGER PRIMARY KEY,
    client_id     TEXT NOT NULL REFERENCES CLIENT (client_id),
    work_order_id TEXT NOT NULL,
    hold_status   TEXT NOT NULL,
    hold_date     TEXT NOT NULL,
    resume_date   TEXT,
    UNIQUE (client_id, hold_entry_id),
    FOREIGN KEY (client_id, work_order_id) REFERENCES WORK_ORDER (client_id, work_order_id)
);
CREATE INDEX idx_hold_entry_date ON HOLD_ENTRY (client_id, hold_date);

CREATE TABLE HOLD_STATUS_TRANSITION (
    hold_status_transition_id INTEGER PRIMARY KEY,
    client_id                 TEXT NOT NULL REFERENCES CLIENT (client_id),
    hold_entry_id             INTEGER NOT NULL,
    from_status               TEXT,
    to_status                 TEXT NOT NULL,
    changed_at                TEXT NOT NULL,
    UNIQUE (client_id, hold_status_transition_id),
    -- The log goes with its hold: deleting the hold is the one statement that decides.
    FOREIGN KEY (client_id, hold_entry_id) REFERENCES HOLD_ENTRY (client_id, hold_entry_id)
        ON DELETE CASCADE
);
CREATE INDEX idx_hold_status_transition_hold ON HOLD_STATUS_TRANSITION (client_id, hold_entry_id);
