-- AlterTable
ALTER TABLE "Match" ADD COLUMN "announcedAt" TIMESTAMP(3);
