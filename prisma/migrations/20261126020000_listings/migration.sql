-- CreateEnum
CREATE TYPE "ListingSide" AS ENUM ('supply', 'demand');

-- CreateEnum
CREATE TYPE "ListingStatus" AS ENUM ('draft', 'pending', 'published', 'rejected', 'withdrawn', 'expired', 'taken_down');

-- CreateEnum
CREATE TYPE "ListingVersionStatus" AS ENUM ('draft', 'pending', 'published', 'rejected', 'superseded');

-- CreateTable
CREATE TABLE "Listing" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "side" "ListingSide" NOT NULL,
    "status" "ListingStatus" NOT NULL DEFAULT 'draft',
    "statusReason" TEXT,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "publishedVersionId" UUID,
    "latestVersion" INTEGER NOT NULL DEFAULT 1,
    "publishedAt" TIMESTAMP(3),
    "validUntil" TIMESTAMP(3),
    "expiryWarnedAt" TIMESTAMP(3),
    "createdById" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Listing_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ListingVersion" (
    "id" UUID NOT NULL,
    "listingId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "status" "ListingVersionStatus" NOT NULL DEFAULT 'draft',
    "kind" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "details" TEXT NOT NULL,
    "industries" TEXT[],
    "keywords" TEXT[],
    "provinceCode" TEXT NOT NULL,
    "cityCode" TEXT NOT NULL,
    "maturity" TEXT NOT NULL,
    "trl" INTEGER,
    "modes" TEXT[],
    "priceNegotiable" BOOLEAN NOT NULL,
    "priceMin" BIGINT,
    "priceMax" BIGINT,
    "ip" JSONB NOT NULL,
    "validUntil" TEXT NOT NULL,
    "authorId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "submittedAt" TIMESTAMP(3),
    "reviewedAt" TIMESTAMP(3),
    "reviewerId" UUID,
    "reviewReason" TEXT,
    "checklist" JSONB,

    CONSTRAINT "ListingVersion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Listing_publishedVersionId_key" ON "Listing"("publishedVersionId");

-- CreateIndex
CREATE INDEX "Listing_organizationId_updatedAt_idx" ON "Listing"("organizationId", "updatedAt");

-- CreateIndex
CREATE INDEX "Listing_status_validUntil_idx" ON "Listing"("status", "validUntil");

-- CreateIndex
CREATE UNIQUE INDEX "ListingVersion_listingId_version_key" ON "ListingVersion"("listingId", "version");

-- CreateIndex
CREATE INDEX "ListingVersion_status_submittedAt_idx" ON "ListingVersion"("status", "submittedAt");

-- AddForeignKey
ALTER TABLE "Listing" ADD CONSTRAINT "Listing_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Listing" ADD CONSTRAINT "Listing_publishedVersionId_fkey" FOREIGN KEY ("publishedVersionId") REFERENCES "ListingVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ListingVersion" ADD CONSTRAINT "ListingVersion_listingId_fkey" FOREIGN KEY ("listingId") REFERENCES "Listing"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
