package faq

// AgreementKB is agreementKB for the tests of package faq_test, which
// run the FAQ on the real stores (they import the store packages, which
// import faq).
var AgreementKB = agreementKB
