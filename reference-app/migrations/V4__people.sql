-- Employees, which client they work for (a junction table, not a comma-separated text
-- field), attendance, coverage and the floating pool.

-- Global person record; the client link lives in EMPLOYEE_CLIENT_ASSIGNMENT.
CREATE TABLE EMPLOYEE (
    employee_id      INTEGER PRIMARY KEY,
    employee_code    TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    is_floating_pool INTEGER NOT NULL DEFAULT 0 CHECK (is_floating_pool IN (0, 1))
);

CREATE TABLE EMPLOYEE_CLIENT_ASSIGNMENT (
    client_id       TEXT NOT NULL REFERENCES CLIENT (client_id),
    employee_id     INTEGER NOT NULL REFERENCES EMPLOYEE (employee_id),
    assignment_type TEXT NOT NULL CHECK (assignment_type IN ('DEDICATED', 'FLOATING')),
    valid_from      TEXT NOT NULL,
    valid_to        TEXT,
    PRIMARY KEY (client_id, employee_id, valid_from)
);
CREATE INDEX idx_employee_client_assignment_employee ON EMPLOYEE_CLIENT_ASSIGNMENT (employee_id, client_id);

CREATE TABLE ATTENDANCE_ENTRY (
    attendance_entry_id INTEGER PRIMARY KEY,
    client_id           TEXT NOT NULL REFERENCES CLIENT (client_id),
    employee_id         INTEGER NOT NULL REFERENCES EMPLOYEE (employee_id),
    shift_id            INTEGER NOT NULL REFERENCES SHIFT (shift_id),
    shift_date          TEXT NOT NULL,
    scheduled_hours     REAL NOT NULL CHECK (scheduled_hours >= 0),
    actual_hours        REAL CHECK (actual_hours >= 0),
    absence_hours       REAL CHECK (absence_hours >= 0),
    is_absent           INTEGER NOT NULL DEFAULT 0 CHECK (is_absent IN (0, 1)),
    is_late             INTEGER NOT NULL DEFAULT 0 CHECK (is_late IN (0, 1)),
    UNIQUE (client_id, attendance_entry_id)
);
CREATE INDEX idx_attendance_entry_date ON ATTENDANCE_ENTRY (client_id, shift_date);

CREATE TABLE COVERAGE_ENTRY (
    coverage_entry_id    INTEGER PRIMARY KEY,
    client_id            TEXT NOT NULL REFERENCES CLIENT (client_id),
    floating_employee_id INTEGER NOT NULL REFERENCES EMPLOYEE (employee_id),
    covered_employee_id  INTEGER REFERENCES EMPLOYEE (employee_id),
    shift_id             INTEGER NOT NULL REFERENCES SHIFT (shift_id),
    shift_date           TEXT NOT NULL,
    UNIQUE (client_id, coverage_entry_id)
);
CREATE INDEX idx_coverage_entry_date ON COVERAGE_ENTRY (client_id, shift_date, shift_id);

-- Shared by design: a pool member is available (current_client_id NULL) or working
-- for one client. Who may see or assign a member is decided by the scope in code.
CREATE TABLE FLOATING_POOL (
    pool_id           INTEGER PRIMARY KEY,
    employee_id       INTEGER NOT NULL UNIQUE REFERENCES EMPLOYEE (employee_id),
    current_client_id TEXT REFERENCES CLIENT (client_id)
);
CREATE INDEX idx_floating_pool_client ON FLOATING_POOL (current_client_id);
