-- AlterTable
ALTER TABLE "Settings" ADD COLUMN     "discrepancyTasks" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "taskAssigneeId" TEXT;

-- CreateTable
CREATE TABLE "DiscrepancyTask" (
    "id" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "documentId" TEXT NOT NULL,
    "episode" INTEGER NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'creating',
    "cause" TEXT NOT NULL,
    "msTaskId" TEXT,
    "assigneeId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "closedAt" TIMESTAMP(3),

    CONSTRAINT "DiscrepancyTask_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DiscrepancyTask_accountId_state_idx" ON "DiscrepancyTask"("accountId", "state");

-- CreateIndex
CREATE UNIQUE INDEX "DiscrepancyTask_documentId_episode_key" ON "DiscrepancyTask"("documentId", "episode");

-- AddForeignKey
ALTER TABLE "DiscrepancyTask" ADD CONSTRAINT "DiscrepancyTask_documentId_fkey" FOREIGN KEY ("documentId") REFERENCES "SyncDocument"("id") ON DELETE CASCADE ON UPDATE CASCADE;
