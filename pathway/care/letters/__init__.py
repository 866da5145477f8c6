"""The discharge letter to the GP: what it says (content, plain values and sentences), where
those values come from (records, the only module here that reads the database), and the PDF
(pdf, fpdf2). The letter is made from the record each time it is asked for, so it is always
what the record says and needs no storage: the same record gives the same bytes.
"""
