-- CreateTable
CREATE TABLE "Installation" (
    "accountId" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "accountName" TEXT,
    "status" TEXT NOT NULL DEFAULT 'active',
    "reportedStatus" TEXT NOT NULL DEFAULT 'SettingsRequired',
    "accessTokenEnc" TEXT,
    "scope" TEXT NOT NULL DEFAULT 'admin',
    "permissions" JSONB,
    "tariff" JSONB,
    "webhookSecret" TEXT NOT NULL,
    "webhooksInstalledAt" TIMESTAMP(3),
    "lastCause" TEXT,
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Installation_pkey" PRIMARY KEY ("accountId")
);

-- CreateTable
CREATE TABLE "Settings" (
    "accountId" TEXT NOT NULL,
    "betaproBaseUrl" TEXT,
    "betaproPartnerId" TEXT,
    "betaproPasswordEnc" TEXT,
    "storeIds" JSONB NOT NULL DEFAULT '[]',
    "enabledEntities" JSONB NOT NULL DEFAULT '["supply","move"]',
    "statuses" JSONB NOT NULL DEFAULT '{}',
    "productKey" TEXT NOT NULL DEFAULT 'article',
    "partialPolicy" TEXT NOT NULL DEFAULT 'final',
    "defectivePolicy" TEXT NOT NULL DEFAULT 'received',
    "postingMode" TEXT NOT NULL DEFAULT 'auto',
    "pollIntervalSec" INTEGER NOT NULL DEFAULT 60,
    "sweepIntervalSec" INTEGER NOT NULL DEFAULT 300,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "updatedBy" TEXT,

    CONSTRAINT "Settings_pkey" PRIMARY KEY ("accountId")
);

-- CreateTable
CREATE TABLE "SyncDocument" (
    "id" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "msId" TEXT NOT NULL,
    "name" TEXT,
    "state" TEXT NOT NULL DEFAULT 'not_sent',
    "errorClass" TEXT,
    "errors" JSONB,
    "indocId" TEXT,
    "generation" INTEGER NOT NULL DEFAULT 1,
    "plan" JSONB,
    "planHash" TEXT,
    "lastTrigger" TEXT,
    "lastActor" TEXT,
    "version" INTEGER NOT NULL DEFAULT 0,
    "sentAt" TIMESTAMP(3),
    "postedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SyncDocument_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SyncEvent" (
    "id" BIGSERIAL NOT NULL,
    "documentId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "trigger" TEXT,
    "actor" TEXT,
    "message" TEXT NOT NULL,
    "data" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SyncEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Outdoc" (
    "id" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "outdocId" BIGINT NOT NULL,
    "indocId" TEXT NOT NULL,
    "documentId" TEXT,
    "kind" TEXT NOT NULL,
    "raw" JSONB NOT NULL,
    "stage" TEXT NOT NULL DEFAULT 'stored',
    "partNumber" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "appliedAt" TIMESTAMP(3),

    CONSTRAINT "Outdoc_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "accountId" TEXT,
    "groupKey" TEXT,
    "activeKey" TEXT,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "state" TEXT NOT NULL DEFAULT 'queued',
    "runAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 10,
    "leaseUntil" TIMESTAMP(3),
    "lockedBy" TEXT,
    "lastError" TEXT,
    "checkpoints" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SeenJwt" (
    "jti" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SeenJwt_pkey" PRIMARY KEY ("jti")
);

-- CreateTable
CREATE TABLE "InboundEvent" (
    "id" BIGSERIAL NOT NULL,
    "source" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "accountId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InboundEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RegisteredGood" (
    "accountId" TEXT NOT NULL,
    "goodId" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RegisteredGood_pkey" PRIMARY KEY ("accountId","goodId")
);

-- CreateTable
CREATE TABLE "RateBucket" (
    "key" TEXT NOT NULL,
    "windowStart" BIGINT NOT NULL DEFAULT 0,
    "count" INTEGER NOT NULL DEFAULT 0,
    "pausedUntil" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "RateBucket_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "RateLease" (
    "key" TEXT NOT NULL,
    "slot" INTEGER NOT NULL,
    "holder" TEXT NOT NULL,
    "expiresAt" BIGINT NOT NULL,

    CONSTRAINT "RateLease_pkey" PRIMARY KEY ("key","slot")
);

-- CreateIndex
CREATE UNIQUE INDEX "Installation_webhookSecret_key" ON "Installation"("webhookSecret");

-- CreateIndex
CREATE INDEX "SyncDocument_accountId_state_idx" ON "SyncDocument"("accountId", "state");

-- CreateIndex
CREATE INDEX "SyncDocument_accountId_indocId_idx" ON "SyncDocument"("accountId", "indocId");

-- CreateIndex
CREATE UNIQUE INDEX "SyncDocument_accountId_entity_msId_key" ON "SyncDocument"("accountId", "entity", "msId");

-- CreateIndex
CREATE INDEX "SyncEvent_documentId_id_idx" ON "SyncEvent"("documentId", "id");

-- CreateIndex
CREATE INDEX "SyncEvent_accountId_createdAt_idx" ON "SyncEvent"("accountId", "createdAt");

-- CreateIndex
CREATE INDEX "Outdoc_accountId_stage_idx" ON "Outdoc"("accountId", "stage");

-- CreateIndex
CREATE INDEX "Outdoc_documentId_idx" ON "Outdoc"("documentId");

-- CreateIndex
CREATE UNIQUE INDEX "Outdoc_accountId_outdocId_key" ON "Outdoc"("accountId", "outdocId");

-- CreateIndex
CREATE UNIQUE INDEX "Job_activeKey_key" ON "Job"("activeKey");

-- CreateIndex
CREATE INDEX "Job_state_runAt_idx" ON "Job"("state", "runAt");

-- CreateIndex
CREATE INDEX "Job_groupKey_state_idx" ON "Job"("groupKey", "state");

-- CreateIndex
CREATE INDEX "SeenJwt_expiresAt_idx" ON "SeenJwt"("expiresAt");

-- CreateIndex
CREATE INDEX "InboundEvent_createdAt_idx" ON "InboundEvent"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "InboundEvent_source_key_key" ON "InboundEvent"("source", "key");

-- AddForeignKey
ALTER TABLE "Settings" ADD CONSTRAINT "Settings_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Installation"("accountId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SyncDocument" ADD CONSTRAINT "SyncDocument_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Installation"("accountId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SyncEvent" ADD CONSTRAINT "SyncEvent_documentId_fkey" FOREIGN KEY ("documentId") REFERENCES "SyncDocument"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Outdoc" ADD CONSTRAINT "Outdoc_documentId_fkey" FOREIGN KEY ("documentId") REFERENCES "SyncDocument"("id") ON DELETE SET NULL ON UPDATE CASCADE;
