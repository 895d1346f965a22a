-- Inspections, their defects, and the per-client defect opportunities of each part.

CREATE TABLE QUALITY_ENTRY (
    quality_entry_id    INTEGER PRIMARY KEY,
    client_id           TEXT NOT NULL REFERENCES CLIENT (client_id),
    work_order_id       TEXT NOT NULL,
    job_id              TEXT,
    shift_date          TEXT NOT NULL,
    inspection_stage    TEXT NOT NULL,
    process_step        TEXT NOT NULL,
    units_inspected     INTEGER NOT NULL CHECK (units_inspected >= 0),
    units_passed        INTEGER NOT NULL CHECK (units_passed >= 0),
    units_defective     INTEGER NOT NULL CHECK (units_defective >= 0),
    total_defects_count INTEGER CHECK (total_defects_count >= 0),
    units_scrapped      INTEGER NOT NULL DEFAULT 0 CHECK (units_scrapped >= 0),
    UNIQUE (client_id, quality_entry_id),
    FOREIGN KEY (client_id, work_order_id) REFERENCES WORK_ORDER (client_id, work_order_id),
    FOREIGN KEY (client_id, job_id) REFERENCES JOB (client_id, job_id)
);
CREATE INDEX idx_quality_entry_date ON QUALITY_ENTRY (client_id, shift_date);

CREATE TABLE DEFECT_DETAIL (
    defect_detail_id INTEGER PRIMARY KEY,
    client_id        TEXT NOT NULL REFERENCES CLIENT (client_id),
    quality_entry_id INTEGER NOT NULL,
    defect_type      TEXT NOT NULL,
    defect_count     INTEGER NOT NULL CHECK (defect_count >= 0),
    UNIQUE (client_id, defect_detail_id),
    FOREIGN KEY (client_id, quality_entry_id) REFERENCES QUALITY_ENTRY (client_id, quality_entry_id)
);
CREATE INDEX idx_defect_detail_entry ON DEFECT_DETAIL (client_id, quality_entry_id);

-- The natural key is per client: one client's part P-100 is not another's.
CREATE TABLE PART_OPPORTUNITIES (
    client_id              TEXT NOT NULL REFERENCES CLIENT (client_id),
    part_number            TEXT NOT NULL,
    opportunities_per_unit INTEGER NOT NULL CHECK (opportunities_per_unit > 0),
    PRIMARY KEY (client_id, part_number)
);
