-- CreateTable
CREATE TABLE "BulkSend" (
    "id" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "requestKey" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "buttonName" TEXT NOT NULL,
    "employeeId" TEXT NOT NULL,
    "rights" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "notification" JSONB,
    "completedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BulkSend_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BulkSendItem" (
    "bulkId" TEXT NOT NULL,
    "msId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL DEFAULT 'pending',
    "documentId" TEXT,
    "name" TEXT,
    "result" TEXT,
    "message" TEXT,

    CONSTRAINT "BulkSendItem_pkey" PRIMARY KEY ("bulkId","msId")
);

-- CreateIndex
CREATE UNIQUE INDEX "BulkSend_requestKey_key" ON "BulkSend"("requestKey");

-- CreateIndex
CREATE INDEX "BulkSend_accountId_createdAt_idx" ON "BulkSend"("accountId", "createdAt");

-- AddForeignKey
ALTER TABLE "BulkSendItem" ADD CONSTRAINT "BulkSendItem_bulkId_fkey" FOREIGN KEY ("bulkId") REFERENCES "BulkSend"("id") ON DELETE CASCADE ON UPDATE CASCADE;
