-- CreateTable
CREATE TABLE "StockReconciliation" (
    "id" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "trigger" TEXT NOT NULL,
    "requestedBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "goods" INTEGER NOT NULL DEFAULT 0,
    "differences" INTEGER NOT NULL DEFAULT 0,
    "explained" INTEGER NOT NULL DEFAULT 0,
    "moyskladCalls" INTEGER NOT NULL DEFAULT 0,
    "betaproCalls" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "rowsPacked" BYTEA,

    CONSTRAINT "StockReconciliation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "StockReconciliation_accountId_createdAt_idx" ON "StockReconciliation"("accountId", "createdAt");
