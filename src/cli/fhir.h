/* fhir.h — rachis extract --fhir: one record as one FHIR R4 Bundle
 * (docs/fhir.md), terminology codes taken from the engine's fhir-* value rules. */
#ifndef RACHIS_FHIR_H
#define RACHIS_FHIR_H

#include "rachis.h"

/* Appends R as one Bundle on one line (with the trailing newline) to OUT.
 * The output depends only on R and the engine, never on time or threads. */
void fhir_bundle(rachis_buf *out, const rachis_record *r, const rachis_engine *e);

#endif
